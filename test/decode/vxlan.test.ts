/**
 * VXLAN (src/decode/vxlan.ts, RFC 7348) on UDP 4789: the inner Ethernet frame
 * with the outer VLAN id kept, inner VLANs, the near misses that stay UDP
 * (no I flag, too short), a VXLAN frame carrying ARP (the outer UDP flow) and
 * truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, eth, expectDecode, hex, inner4tcp, inner6udp, ipv4, outer4udp, payloadOf, sweepTruncation, T, udp, vxlan } from './frames';

const OUTER = { v: 4 as const, src: T.a4, dst: T.b4, proto: 17, sport: 51000, dport: 4789 };

/*
 * Outer Ethernet with VLAN 300, IPv4, UDP 51000 -> 4789, then
 *   08 00 00 00 00 00 2a 00   flags I, VNI 42
 *   00 1b 21 ... 08 00        inner Ethernet
 *   45 ...                    inner IPv4 / TCP 51514 -> 443
 */
const VX = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(51000, 4789, vxlan(42, eth(0x0800, inner4tcp())))), [{ id: 300 }]);

test('vxlan-with-outer-vlan-keeps-outer-vlan-id', () => {
  const p = expectDecode(1, VX, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.vlanId, 300);
  assert.equal(p.tunnel, 2, 'Tunnel.Vxlan');
  assert.equal(p.depth, 1);
  assert.equal(p.ipOff, 18 + 20 + 8 + 8 + 14);
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  const vx = 18 + 28;
  sweepTruncation(1, VX, {
    allowedKeys: [OUTER],
    cuts: [
      [vx + 21, 'Ok', 'Malformed:ipv4_bad_total_length'], // inner Ethernet header incomplete: outer flow
      [vx + 22, 'Malformed:ipv4_truncated', 'Malformed:ipv4_bad_total_length'],
    ],
  });
});

test('vxlan-outer-and-inner-vlan-keeps-the-outer-one', () => {
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(51000, 4789, vxlan(42, eth(0x86dd, inner6udp(), [{ id: 999 }])))), [{ id: 300 }]);
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.vlanId, 300);
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
});

test('vxlan-untagged-outer-reports-the-inner-vlan', () => {
  const p = expectDecode(1, outer4udp(51000, 4789, vxlan(42, eth(0x86dd, inner6udp(), [{ id: 999 }]))), 'Ok');
  assert.equal(p.vlanId, 999);
});

test('udp-to-4789-whose-payload-is-not-vxlan-stays-a-udp-flow', () => {
  for (const [what, pl] of [
    ['no I flag', vxlan(42, eth(0x0800, inner4tcp()), 0x00)],
    ['text', Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n')],
    ['shorter than VXLAN + Ethernet', hex('08 00 00 00 00 00 2a 00 00 1b 21 3a 4f 01 3c fd fe 9a 8b 02 08')],
  ] as Array<[string, Buffer]>) {
    const p = expectDecode(1, outer4udp(51000, 4789, pl), 'Ok');
    assertFlow(p, OUTER, what);
    assert.equal(p.tunnel, 0, what);
    assert.deepEqual(payloadOf(p), pl, what);
  }
});

test('vxlan-carrying-arp-is-the-outer-udp-flow-with-outer-vlan', () => {
  const arp = eth(0x0806, hex('0001 0800 0604 0002 001b213a4f01 c0a8010a 3cfdfe9a8b02 c0a80101'), [{ id: 5 }]);
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(51000, 4789, vxlan(1, arp))), [{ id: 300 }]);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, OUTER);
  assert.equal(p.vlanId, 300);
  assert.equal(p.tunnel, 0);
});

test('vxlan-untagged-outer-carrying-tagged-arp-reports-no-vlan', () => {
  const arp = eth(0x0806, hex('0001 0800 0604 0002 001b213a4f01 c0a8010a 3cfdfe9a8b02 c0a80101'), [{ id: 5 }]);
  const p = expectDecode(1, outer4udp(51000, 4789, vxlan(1, arp)), 'Ok');
  assertFlow(p, OUTER);
  assert.equal(p.vlanId, 0, 'the inner tag of a frame not decapsulated is not kept');
});
