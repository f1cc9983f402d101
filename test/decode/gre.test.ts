/**
 * GRE (src/decode/gre.ts): RFC 2784/2890 with checksum, key and sequence
 * fields, transparent Ethernet bridging, MPLS, ERSPAN types I/II/III (with and
 * without the platform sub-header), PPTP's enhanced GRE carrying PPP, the
 * cases that stay plain GRE flows (routing bit, other versions, unknown
 * payload types, short headers), GRE carrying no IP packet (the GRE flow)
 * and truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, cat, decode, erspan2, erspan3, eth, expectDecode, gre, hex, inner4tcp, inner4udp, inner6tcp, inner6udp, ipv4, ipv6, mpls, outcome, payloadOf, seqBytes, sweepTruncation, T } from './frames';

const OUTER_GRE = { v: 4 as const, src: T.a4, dst: T.b4, proto: 47 };
const overGre = (g: Buffer) => eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47, ttl: 255 }, g));

/*
 * GRE with key and sequence number carrying IPv4:
 *   20 00 08 00            K set, version 0, protocol IPv4
 *   00 00 12 34            key
 *   00 00 00 09            sequence number
 *   45 ...                 inner IPv4 / UDP 5353 -> 53
 * (with S set the first byte is 0x30)
 */
test('gre-key-and-sequence-carrying-ipv4', () => {
  const g = gre({ proto: 0x0800, key: 0x1234, seq: 9 }, inner4udp());
  assert.deepEqual(g.subarray(0, 12), hex('30 00 08 00 00 00 12 34 00 00 00 09'));
  const f = overGre(g);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.tunnel, 3, 'Tunnel.Gre');
  assert.equal(p.depth, 1);
  assert.equal(p.ipOff, 14 + 20 + 12);
  assert.equal(p.ttl, 63, 'the inner header gives the ttl');
  assert.deepEqual(payloadOf(p), seqBytes(20));
  sweepTruncation(1, f, {
    allowedKeys: [OUTER_GRE],
    cuts: [
      [14 + 20 + 11, 'Ok', 'Malformed:ipv4_bad_total_length'], // GRE header cut: the outer GRE flow
      [14 + 20 + 12, 'Malformed:ipv4_truncated', 'Malformed:ipv4_bad_total_length'],
    ],
  });
});

test('gre-checksum-field-adds-four-bytes', () => {
  const p = expectDecode(1, overGre(gre({ proto: 0x86dd, checksum: true }, inner6tcp())), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.ipOff, 14 + 20 + 8);
});

test('gre-over-ipv6-carrying-ipv4', () => {
  const p = expectDecode(1, eth(0x86dd, ipv6({ src: T.a6, dst: T.b6, next: 47 }, gre({ proto: 0x0800 }, inner4tcp()))), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 3);
});

test('gre-with-routing-bit-stays-gre-proto-47', () => {
  const g = gre({ proto: 0x0800, routing: true }, inner4udp());
  const p = expectDecode(1, overGre(g), 'Ok');
  assertFlow(p, OUTER_GRE);
  assert.equal(p.tunnel, 0);
  assert.equal(p.depth, 0);
  assert.equal(p.payloadOff, 34);
  assert.deepEqual(payloadOf(p), g);
});

test('gre-other-versions-and-unknown-payload-types-stay-gre', () => {
  for (const g of [
    gre({ proto: 0x0800, version: 2 }, inner4udp()),
    gre({ proto: 0x0800, version: 7 }, inner4udp()),
    gre({ proto: 0x883e }, seqBytes(40)), // WCCP
    gre({ proto: 0x0806 }, seqBytes(28)),
    gre({ proto: 0x0800, version: 1 }, inner4udp()), // version 1 is only PPTP's PPP
    hex('00 00 08'), // shorter than the base header
    hex('30 00 08 00 00 00'), // key and sequence announced, not there
  ]) {
    const p = expectDecode(1, overGre(g), 'Ok');
    assertFlow(p, OUTER_GRE);
    assert.equal(p.tunnel, 0);
    assert.equal(p.payloadLen, g.length);
  }
});

test('gre-transparent-ethernet-bridging', () => {
  const f = overGre(gre({ proto: 0x6558, key: 1 }, eth(0x86dd, inner6udp(), [{ id: 77 }])));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.tunnel, 3);
  assert.equal(p.vlanId, 77, 'an untagged outer frame reports the inner VLAN');
  sweepTruncation(1, f, { allowedKeys: [OUTER_GRE], cuts: [[14 + 20 + 8 + 13, 'Malformed:link_truncated', 'Malformed:ipv4_bad_total_length']] });
});

test('gre-carrying-mpls', () => {
  const p = expectDecode(1, overGre(gre({ proto: 0x8847 }, mpls([1000, 2000], inner4tcp()))), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 3);
});

test('erspan-type-i-has-no-erspan-header', () => {
  const p = expectDecode(1, overGre(gre({ proto: 0x88be }, eth(0x0800, inner4tcp()))), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 4, 'Tunnel.Erspan');
  assert.equal(p.ipOff, 14 + 20 + 4 + 14);
});

/*
 * ERSPAN type II: GRE 10 00 88 be + sequence, then
 *   10 64 00 2a 00 00 00 07   version 1, VLAN 100, COS/En/T, session 42, index 7
 *   ...                       the mirrored Ethernet frame
 */
test('erspan-type-ii-carrying-ethernet', () => {
  const f = overGre(gre({ proto: 0x88be, seq: 5 }, erspan2(eth(0x0800, inner4tcp()))));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 4);
  assert.equal(p.vlanId, 0, 'the ERSPAN header VLAN is not a tag of the frame');
  assert.equal(p.ipOff, 14 + 20 + 8 + 8 + 14);
  sweepTruncation(1, f, { allowedKeys: [OUTER_GRE], cuts: [[14 + 20 + 8 + 7, 'Ok', 'Malformed:ipv4_bad_total_length']] });
});

test('erspan-type-iii-without-platform-subheader', () => {
  const f = overGre(gre({ proto: 0x22eb, seq: 5 }, erspan3(eth(0x0800, inner4udp()), false)));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.tunnel, 4);
  assert.equal(p.ipOff, 14 + 20 + 8 + 12 + 14);
  sweepTruncation(1, f, { allowedKeys: [OUTER_GRE] });
});

test('erspan-type-iii-with-platform-subheader', () => {
  const f = overGre(gre({ proto: 0x22eb, seq: 5 }, erspan3(eth(0x86dd, inner6udp()), true)));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.ipOff, 14 + 20 + 8 + 20 + 14);
  sweepTruncation(1, f, { allowedKeys: [OUTER_GRE], cuts: [[14 + 20 + 8 + 19, 'Ok', 'Malformed:ipv4_bad_total_length']] });
});

/*
 * PPTP enhanced GRE (RFC 2637):
 *   30 81 88 0b            K and S set, A set, version 1, protocol PPP
 *   00 xx 40 01            payload length, call id 0x4001
 *   00 00 00 03            sequence number
 *   00 00 00 02            acknowledgement number
 *   ff 03 00 21 45 ...     PPP address/control, protocol IPv4, the packet
 */
test('pptp-enhanced-gre-with-ppp-carrying-ipv4', () => {
  const g = gre({ proto: 0x880b, version: 1, seq: 3, ack: 2 }, cat('ff 03 00 21', inner4tcp()));
  assert.deepEqual(g.subarray(0, 4), hex('30 81 88 0b'));
  const f = overGre(g);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 3);
  assert.equal(p.ipOff, 14 + 20 + 16 + 4);
  sweepTruncation(1, f, { allowedKeys: [OUTER_GRE] });
});

test('pptp-compressed-ppp-header-and-ipv6', () => {
  // No address/control field, 1-byte protocol 0x21 (RFC 1661 PFC/ACFC), no ack.
  let p = expectDecode(1, overGre(gre({ proto: 0x880b, version: 1, seq: 1 }, cat('21', inner4udp()))), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  p = expectDecode(1, overGre(gre({ proto: 0x880b, version: 1, seq: 1 }, cat('00 57', inner6tcp()))), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 });
});

test('pptp-acknowledgement-only-packet-stays-gre', () => {
  const g = gre({ proto: 0x880b, version: 1, ack: 7 }, '');
  const p = expectDecode(1, overGre(g), 'Ok');
  assertFlow(p, OUTER_GRE);
  assert.equal(p.tunnel, 0);
});

test('pptp-ppp-without-ip-is-the-outer-gre-flow', () => {
  // MPPE-encrypted (0x00fd) and LCP (0xc021) PPP frames: most PPTP data looks like the first.
  const d = new Decoder();
  for (const ppp of ['ff 03 00 fd 90 00 11 22 33 44 55 66', 'ff 03 c0 21 09 01 00 08 12 34 56 78']) {
    const g = gre({ proto: 0x880b, version: 1, seq: 3 }, ppp);
    const r = decode(d, 1, overGre(g));
    assert.equal(outcome(d, r), 'Ok', `PPP ${ppp.slice(6, 11)}`);
    assertFlow(d.pkt, OUTER_GRE);
    assert.equal(d.pkt.tunnel, 0);
    assert.equal(d.pkt.depth, 0);
    assert.equal(d.pkt.ttl, 255, 'the outer header fields are back');
    assert.equal(d.pkt.l4Off, 34);
    assert.deepEqual(payloadOf(d.pkt), g);
  }
  assert.equal(d.nonIp, 0);
});

test('gre-teb-and-erspan-carrying-arp-are-the-outer-gre-flow', () => {
  const arp = eth(0x0806, hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101'), [{ id: 9 }]);
  for (const g of [gre({ proto: 0x6558 }, arp), gre({ proto: 0x88be, seq: 1 }, erspan2(arp)), gre({ proto: 0x8847 }, mpls([16], seqBytes(20, 0x10)))]) {
    const p = expectDecode(1, overGre(g), 'Ok');
    assertFlow(p, OUTER_GRE);
    assert.equal(p.tunnel, 0);
    assert.equal(p.vlanId, 0, 'the inner tag is dropped with the inner frame');
    assert.deepEqual(payloadOf(p), g);
  }
});

test('gre-no-tunnels-leaves-the-gre-flow', () => {
  const g = gre({ proto: 0x0800, key: 1 }, inner4udp());
  const p = expectDecode(1, overGre(g), 'Ok', { decoder: { tunnels: false } });
  assertFlow(p, OUTER_GRE);
  assert.equal(p.tunnel, 0);
  assert.deepEqual(payloadOf(p), g);
});
