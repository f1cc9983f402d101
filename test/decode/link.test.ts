/**
 * Link-layer framings other than Ethernet (src/decode/link.ts): raw IP
 * (12, 14, 101, 228, 229), Linux cooked v1 (113) and v2 (276), BSD null (0,
 * either byte order, every AF_INET6 value) and loop (108), PPP (9/50) with and
 * without address/control and with 1-byte protocols, Cisco HDLC framing inside
 * PPP, Cisco HDLC (104), PPI (192), radiotap (127), and unsupported link
 * types counted by type; each positive case also truncated at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, cat, decode, dot11, eth, expectDecode, hex, inner4tcp, inner4udp, inner6tcp, inner6udp, nullHdr, outcome, ppi, radiotap, seqBytes, sll, sll2, snap, sweepTruncation } from './frames';

const FLOW4_TCP = { v: 4 as const, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 };
const FLOW4_UDP = { v: 4 as const, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 };
const FLOW6_UDP = { v: 6 as const, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 };
const FLOW6_TCP = { v: 6 as const, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 };

test('raw-ip-link-types-pick-the-version-by-nibble', () => {
  for (const lt of [12, 14, 101, 228, 229]) {
    assertFlow(expectDecode(lt, inner4tcp(), 'Ok'), FLOW4_TCP, `link ${lt}`);
    assertFlow(expectDecode(lt, inner6udp(), 'Ok'), FLOW6_UDP, `link ${lt}`);
    expectDecode(lt, hex('50 00 00 14'), 'Malformed:ipv4_bad_version');
    expectDecode(lt, Buffer.alloc(0), 'Malformed:link_truncated');
  }
  sweepTruncation(12, inner4tcp());
  sweepTruncation(229, inner6tcp());
});

/*
 * Linux cooked capture v1, 16 bytes:
 *   00 00 00 01 00 06 3c fd fe 9a 8b 02 00 00 08 00   packet type, ARPHRD_ETHER, addr len, addr (8), protocol IPv4
 */
test('sll-v1-carrying-ipv4-and-ipv6', () => {
  const f = sll(0x0800, inner4udp());
  assert.deepEqual(f.subarray(0, 16), hex('00 00 00 01 00 06 3c fd fe 9a 8b 02 00 00 08 00'));
  const p = expectDecode(113, f, 'Ok');
  assertFlow(p, FLOW4_UDP);
  assert.equal(p.ipOff, 16);
  assertFlow(expectDecode(113, sll(0x86dd, inner6tcp()), 'Ok'), FLOW6_TCP);
  sweepTruncation(113, f, { cuts: [[15, 'Malformed:link_truncated', 'Malformed:link_truncated'], [16, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated']] });
});

test('sll-v1-protocol-variants', () => {
  // A VLAN tag left in the frame by the capture.
  assert.equal(expectDecode(113, sll(0x8100, cat('00 64 08 00', inner4udp())), 'Ok').vlanId, 100);
  // ETH_P_802_2 / ETH_P_802_3 pseudo-types, ARP, netlink.
  expectDecode(113, sll(0x0004, snap(0x0800, inner4udp())), 'NotIp');
  expectDecode(113, sll(0x0001, inner4udp()), 'NotIp');
  expectDecode(113, sll(0x0806, seqBytes(28)), 'NotIp');
  expectDecode(113, sll(0x0800, inner4udp(), 824), 'NotIp');
  // ARPHRD_IPGRE: the protocol is the GRE payload type.
  assertFlow(expectDecode(113, sll(0x0800, inner4udp(), 778), 'Ok'), FLOW4_UDP);
  // ARPHRD_IEEE80211_RADIOTAP.
  assertFlow(expectDecode(113, sll(0x0000, radiotap(dot11({ qos: true, toDs: true }, snap(0x0800, inner4udp()))), 803), 'Ok'), FLOW4_UDP);
});

/*
 * Linux cooked capture v2, 20 bytes:
 *   86 dd 00 00 00 00 00 02 00 01 00 06 3c fd fe 9a 8b 02 00 00
 *   protocol IPv6, reserved, ifindex 2, ARPHRD_ETHER, packet type, addr len, addr (8)
 */
test('sll-v2-carrying-ipv6-and-ipv4', () => {
  const f = sll2(0x86dd, inner6tcp());
  assert.deepEqual(f.subarray(0, 20), hex('86 dd 00 00 00 00 00 02 00 01 00 06 3c fd fe 9a 8b 02 00 00'));
  const p = expectDecode(276, f, 'Ok');
  assertFlow(p, FLOW6_TCP);
  assert.equal(p.ipOff, 20);
  assertFlow(expectDecode(276, sll2(0x0800, inner4tcp()), 'Ok'), FLOW4_TCP);
  expectDecode(276, sll2(0x0800, inner4tcp(), 824), 'NotIp');
  assertFlow(expectDecode(276, sll2(0, radiotap(dot11({ fromDs: true }, snap(0x86dd, inner6udp()))), 803), 'Ok'), FLOW6_UDP);
  sweepTruncation(276, f, { cuts: [[19, 'Malformed:link_truncated', 'Malformed:link_truncated'], [20, 'Malformed:ipv6_truncated', 'Malformed:ipv6_truncated']] });
});

test('bsd-null-both-byte-orders-and-every-af-inet6-value', () => {
  for (const le of [true, false]) {
    const f = nullHdr(2, inner4tcp(), le);
    const p = expectDecode(0, f, 'Ok');
    assertFlow(p, FLOW4_TCP, le ? 'LE' : 'BE');
    assert.equal(p.ipOff, 4);
    for (const af6 of [10, 24, 28, 30]) assertFlow(expectDecode(0, nullHdr(af6, inner6udp(), le), 'Ok'), FLOW6_UDP, `AF ${af6} ${le ? 'LE' : 'BE'}`);
    expectDecode(0, nullHdr(7, inner4tcp(), le), 'NotIp');
    sweepTruncation(0, nullHdr(30, inner6udp(), le), { cuts: [[3, 'Malformed:link_truncated', 'Malformed:link_truncated'], [4, 'Malformed:link_truncated', 'Malformed:link_truncated']] });
  }
});

test('bsd-loop-is-network-byte-order', () => {
  const f = nullHdr(2, inner4tcp(), false);
  assert.deepEqual(f.subarray(0, 4), hex('00 00 00 02'));
  assertFlow(expectDecode(108, f, 'Ok'), FLOW4_TCP);
  for (const af6 of [24, 28, 30]) assertFlow(expectDecode(108, nullHdr(af6, inner6udp(), false), 'Ok'), FLOW6_UDP, `AF ${af6}`);
  // Host order is not accepted on loop: 02 00 00 00 is family 0x02000000.
  expectDecode(108, nullHdr(2, inner4tcp(), true), 'NotIp');
  sweepTruncation(108, f);
});

test('ppp-with-and-without-address-control-and-1-byte-protocol', () => {
  for (const lt of [9, 50]) {
    for (const [hdr, ip, flow, off] of [
      ['ff 03 00 21', inner4tcp(), FLOW4_TCP, 4],
      ['00 21', inner4tcp(), FLOW4_TCP, 2],
      ['21', inner4udp(), FLOW4_UDP, 1],
      ['ff 03 21', inner4udp(), FLOW4_UDP, 3],
      ['ff 03 00 57', inner6udp(), FLOW6_UDP, 4],
      ['57', inner6tcp(), FLOW6_TCP, 1],
    ] as Array<[string, Buffer, typeof FLOW4_TCP, number]>) {
      const p = expectDecode(lt, cat(hdr, ip), 'Ok');
      assertFlow(p, flow, `link ${lt} ${hdr}`);
      assert.equal(p.ipOff, off);
    }
  }
  sweepTruncation(9, cat('ff 03 00 21', inner4tcp()), { cuts: [[1, 'Malformed:link_truncated', 'Malformed:link_truncated'], [2, 'Malformed:link_truncated', 'Malformed:link_truncated'], [3, 'Malformed:link_truncated', 'Malformed:link_truncated'], [4, 'Malformed:link_truncated', 'Malformed:link_truncated']] });
  sweepTruncation(9, cat('21', inner4udp()));
});

test('ppp-control-protocols-are-notip', () => {
  expectDecode(9, cat('ff 03 c0 21', '01 01 00 04'), 'NotIp'); // LCP
  expectDecode(9, cat('ff 03 80 21', '01 01 00 04'), 'NotIp'); // IPCP
  expectDecode(9, cat('fd', seqBytes(10)), 'NotIp'); // compressed datagram, 1-byte protocol
});

test('ppp-link-with-cisco-hdlc-framing', () => {
  // Serial links captured as PPP: 0F 00 08 00 (unicast, IPv4), 8F 00 86 DD (broadcast, IPv6).
  const f = cat('0f 00 08 00', inner4tcp());
  const p = expectDecode(9, f, 'Ok');
  assertFlow(p, FLOW4_TCP);
  assert.equal(p.ipOff, 4);
  assertFlow(expectDecode(9, cat('8f 00 86 dd', inner6udp()), 'Ok'), FLOW6_UDP);
  expectDecode(9, cat('8f 00 80 35', seqBytes(20)), 'NotIp'); // SLARP
  sweepTruncation(9, f, { cuts: [[3, 'Malformed:link_truncated', 'Malformed:link_truncated']] });
});

test('cisco-hdlc-link-type-104', () => {
  const f = cat('0f 00 08 00', inner4udp());
  assertFlow(expectDecode(104, f, 'Ok'), FLOW4_UDP);
  assertFlow(expectDecode(104, cat('8f 00 86 dd', inner6tcp()), 'Ok'), FLOW6_TCP);
  expectDecode(104, cat('8f 00 80 35', seqBytes(20)), 'NotIp');
  expectDecode(104, cat('0f 00 20 00', seqBytes(20)), 'NotIp'); // CDP
  sweepTruncation(104, f, { cuts: [[3, 'Malformed:link_truncated', 'Malformed:link_truncated'], [4, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated']] });
});

/*
 * PPI, 8-byte header:
 *   00 00 08 00 01 00 00 00    version 0, flags 0, length 8 (LE), DLT 1 (LE), then Ethernet
 */
test('ppi-with-ethernet-inside', () => {
  const f = ppi(1, eth(0x0800, inner4tcp()));
  assert.deepEqual(f.subarray(0, 8), hex('00 00 08 00 01 00 00 00'));
  const p = expectDecode(192, f, 'Ok');
  assertFlow(p, FLOW4_TCP);
  assert.equal(p.ipOff, 8 + 14);
  // With a 20-byte field (e.g. 802.11 common) the header is longer.
  assert.equal(expectDecode(192, ppi(1, eth(0x0800, inner4tcp()), cat('02 00 10 00', seqBytes(16))), 'Ok').ipOff, 28 + 14);
  assertFlow(expectDecode(192, ppi(105, dot11({ qos: true, toDs: true }, snap(0x0800, inner4udp()))), 'Ok'), FLOW4_UDP);
  sweepTruncation(192, f, { cuts: [[7, 'Malformed:link_truncated', 'Malformed:link_truncated'], [8, 'Malformed:link_truncated', 'Malformed:link_truncated']] });
});

test('ppi-bad-length-and-other-dlts', () => {
  expectDecode(192, cat('00 00 04 00 01 00 00 00', eth(0x0800, inner4tcp())), 'Malformed:link_bad_header');
  expectDecode(192, cat('00 00 00 01 01 00 00 00', eth(0x0800, inner4tcp())), 'Malformed:link_bad_header');
  const d = new Decoder();
  assert.equal(outcome(d, decode(d, 192, ppi(127, seqBytes(40)))), 'UnsupportedLink');
  assert.equal(d.unsupportedLink.get(192), 1);
});

/*
 * Radiotap, 12-byte header:
 *   00 00 0c 00 02 00 00 00 00 00 00 00   version 0, length 12 (LE), present: flags, then fields
 */
test('radiotap-with-80211-data-inside', () => {
  const f = radiotap(dot11({ qos: true, toDs: true }, snap(0x0800, inner4tcp())));
  assert.deepEqual(f.subarray(0, 4), hex('00 00 0c 00'));
  const p = expectDecode(127, f, 'Ok');
  assertFlow(p, FLOW4_TCP);
  assert.equal(p.ipOff, 12 + 26 + 8);
  sweepTruncation(127, f, { cuts: [[7, 'Malformed:link_truncated', 'Malformed:link_truncated'], [11, 'Malformed:link_bad_header', 'Malformed:link_bad_header'], [12, 'Malformed:link_truncated', 'Malformed:link_truncated']] });
});

test('radiotap-bad-length-and-non-data-frames', () => {
  expectDecode(127, cat('00 00 06 00 00 00 00 00', dot11({}, snap(0x0800, inner4tcp()))), 'Malformed:link_bad_header');
  expectDecode(127, radiotap(dot11({ type: 0, subtype: 8 }, seqBytes(50)), 26), 'NotIp');
});

test('unsupported-link-type-is-counted-by-type', () => {
  const d = new Decoder();
  for (const lt of [147, 147, 147, 2, 0xffff]) assert.equal(outcome(d, decode(d, lt, eth(0x0800, inner4tcp()))), 'UnsupportedLink');
  assert.equal(d.unsupportedLink.get(147), 3);
  assert.equal(d.unsupportedLink.get(2), 1);
  assert.equal(d.unsupportedLink.get(0xffff), 1);
  assert.equal(d.nonIp, 0);
  assert.equal(d.malformedTotal(), 0);
  // An empty frame of an unsupported type is still unsupported, not malformed.
  assert.equal(d.decode(147, Buffer.alloc(0), 0, 0, 0, 0), 2);
});
