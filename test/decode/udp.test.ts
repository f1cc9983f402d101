/**
 * UDP (src/decode/udp.ts): ports, length handling (shorter than the IP
 * payload, longer, below 8), truncation, the tunnel ports (GTP-U 2152,
 * VXLAN 4789, CAPWAP 5247, TZSP 37008) left alone with --no-tunnels, and a
 * tunnel that carries no IP accounted as the outer UDP flow. Each tunnel's
 * own cases are in its file (gtp, vxlan, capwap, tzsp).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, capwap, decode, dot11, eth, expectDecode, fmtAddr, gre, gtpu, hex, inner4tcp, inner4udp, inner6udp, ipv4, ipv6, outcome, outer4udp, payloadOf, seqBytes, sweepTruncation, T, tzsp, udp, vxlan } from './frames';

test('udp-fields-and-payload', () => {
  const f = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(5353, 53, seqBytes(20))));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.l4Off, 34);
  assert.equal(p.l4Len, 28);
  assert.equal(p.payloadOff, 42);
  assert.deepEqual(payloadOf(p), seqBytes(20));
  assert.equal(p.tcpFlags, 0);
  sweepTruncation(1, f, { cuts: [[41, 'Malformed:udp_truncated', 'Malformed:ipv4_bad_total_length'], [42, 'Ok', 'Malformed:ipv4_bad_total_length']] });
});

test('udp-length-shorter-than-ip-payload-ends-the-payload', () => {
  const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(20), 8 + 5)), 'Ok');
  assert.equal(p.payloadLen, 5);
  assert.equal(p.l4Len, 28, 'the L4 view is still the whole IP payload');
});

test('udp-length-longer-than-ip-payload-or-below-8-is-ignored', () => {
  assert.equal(expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(20), 500)), 'Ok').payloadLen, 20);
  assert.equal(expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(20), 3)), 'Ok').payloadLen, 20);
  assert.equal(expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(20), 0)), 'Ok').payloadLen, 20);
  assert.equal(expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(20), 8)), 'Ok').payloadLen, 0);
});

test('udp-header-shorter-than-8-bytes-is-udp_truncated', () => {
  expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 17 }, '00 35 00 35 00 08 00'), 'Malformed:udp_truncated');
});

test('udp-no-tunnels-leaves-every-tunnel-port-as-the-outer-flow', () => {
  const cases: Array<[number, Buffer]> = [
    [2152, gtpu({}, inner4tcp())],
    [4789, vxlan(1, eth(0x0800, inner4tcp()))],
    [5247, capwap({}, eth(0x0800, inner4tcp()))],
    [37008, tzsp(1, '01', eth(0x0800, inner4tcp()))],
  ];
  for (const [port, payload] of cases) {
    const f = outer4udp(40000, port, payload);
    const on = expectDecode(1, f, 'Ok');
    assert.notEqual(on.tunnel, 0, `port ${port} opens with tunnels on`);
    const p = expectDecode(1, f, 'Ok', { decoder: { tunnels: false } });
    assertFlow(p, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 40000, dport: port }, `port ${port}`);
    assert.equal(p.tunnel, 0);
    assert.equal(p.depth, 0);
    assert.deepEqual(payloadOf(p), payload);
  }
});

test('udp-tunnel-carrying-arp-is-the-outer-udp-flow', () => {
  const d = new Decoder();
  const arp = eth(0x0806, hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101'));
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(50000, 4789, vxlan(5, arp))), [{ id: 12 }]);
  assert.equal(outcome(d, decode(d, 1, f)), 'Ok');
  const p = d.pkt;
  assertFlow(p, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 50000, dport: 4789 });
  assert.equal(p.tunnel, 0);
  assert.equal(p.depth, 0);
  assert.equal(p.vlanId, 12);
  assert.equal(p.payloadLen, 8 + arp.length);
  assert.equal(d.nonIp, 0, 'not counted as a non-IP frame');
});

test('udp-tunnel-carrying-80211-management-is-the-outer-udp-flow', () => {
  const beacon = dot11({ type: 0, subtype: 8 }, seqBytes(40));
  const p = expectDecode(1, outer4udp(5247, 5247, capwap({ wbid: 1, t: true }, beacon)), 'Ok');
  assertFlow(p, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 5247, dport: 5247 });
  assert.equal(p.tunnel, 0);
});

test('udp-tunnel-ports-as-source-port-open-too', () => {
  for (const [port, payload] of [[2152, gtpu({}, inner6udp())], [4789, vxlan(1, eth(0x86dd, inner6udp()))]] as Array<[number, Buffer]>) {
    const p = expectDecode(1, outer4udp(port, 33333, payload), 'Ok');
    assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 }, `source port ${port}`);
  }
});

test('udp-tunnel-with-non-ip-deep-inside-never-mixes-inner-addresses-with-outer-ports', () => {
  // Regression: GTP-U → inner IPv6 → GRE (transparent Ethernet) → ARP once came out as the
  // inner IPv6 addresses with the outer UDP ports. GRE carrying no IP is now the GRE flow.
  const arp = eth(0x0806, hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101'));
  const g = gre({ proto: 0x6558 }, arp);
  const f = outer4udp(2152, 2152, gtpu({}, ipv6({ src: A.c6, dst: A.s6, next: 47, hopLimit: 33 }, g)));
  const d = new Decoder();
  assert.equal(outcome(d, decode(d, 1, f)), 'Ok');
  const p = d.pkt;
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 47 }, `got ${fmtAddr(p).join(' -> ')}`);
  assert.equal(p.tunnel, 1, 'inside GTP');
  assert.equal(p.depth, 1);
  assert.equal(p.ttl, 33);
  assert.equal(p.ipOff, 42 + 8);
  assert.equal(p.l4Off, 42 + 8 + 40);
  assert.deepEqual(payloadOf(p), g);
  assert.equal(d.nonIp, 0);
});

test('udp-tunnel-carrying-non-ip-restores-every-outer-field', () => {
  // VXLAN → Ethernet → ARP inside GTP-U → inner IPv4 → UDP 4789: the inner UDP flow, inside GTP.
  const arp = eth(0x0806, hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101'));
  const innerUdp = ipv4({ src: A.c4, dst: A.s4, proto: 17, ttl: 9 }, udp(40000, 4789, vxlan(3, arp)));
  const p = expectDecode(1, outer4udp(2152, 2152, gtpu({}, innerUdp)), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 40000, dport: 4789 });
  assert.equal(p.tunnel, 1);
  assert.equal(p.depth, 1);
  assert.equal(p.ttl, 9);
  assert.equal(p.ipOff, 50);
  assert.equal(p.l4Off, 70);
  assert.equal(p.payloadOff, 78);
  assert.equal(p.payloadLen, 8 + arp.length);
  assert.equal(p.tcpFlags, 0);
});

test('udp-tunnel-with-malformed-inner-packet-is-malformed', () => {
  // A G-PDU whose inner IPv4 header claims more bytes than the frame has.
  const bad = ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 400 }, udp(1, 2, seqBytes(8)));
  expectDecode(1, outer4udp(2152, 2152, gtpu({}, bad)), 'Malformed:ipv4_bad_total_length');
  expectDecode(1, outer4udp(2152, 2152, gtpu({}, bad)), 'Ok', { decoder: { tunnels: false } });
});

test('udp-fragment-sized-tunnel-port-datagram-without-inner-frame-stays-udp', () => {
  for (const port of [2152, 4789, 5247, 37008]) {
    const p = expectDecode(1, outer4udp(40000, port, ''), 'Ok');
    assertFlow(p, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 40000, dport: port });
    assert.equal(p.payloadLen, 0);
  }
});

test('udp-inner-flow-of-a-tunnel-at-every-truncation', () => {
  const f = outer4udp(2152, 2152, gtpu({ seq: 1 }, inner4udp()));
  assertFlow(expectDecode(1, f, 'Ok'), { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  sweepTruncation(1, f, { allowedKeys: [{ v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 2152, dport: 2152 }] });
});
