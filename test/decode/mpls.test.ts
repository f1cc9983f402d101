/**
 * MPLS label stacks (src/decode/mpls.ts, RFC 3032): IPv4 and IPv6 under one
 * or several labels, the pseudowire control word with Ethernet (RFC 4448),
 * other payloads as non-IP, the label limit, MPLS in PPP, and truncation at
 * every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, cat, eth, expectDecode, hex, inner4tcp, inner4udp, inner6tcp, mpls, seqBytes, sweepTruncation } from './frames';

/*
 * Two labels then IPv6:
 *   00 01 00 40   label 16, TC 0, S 0, TTL 64
 *   00 01 11 40   label 17, S 1 (bottom of stack)
 *   60 ...        IPv6
 */
test('mpls-two-labels-carrying-ipv6', () => {
  const m = mpls([16, 17], inner6tcp());
  assert.deepEqual(m.subarray(0, 8), hex('00 01 00 40 00 01 11 40'));
  const f = eth(0x8847, m);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.ipOff, 14 + 8);
  assert.equal(p.tunnel, 0, 'MPLS is not a tunnel');
  sweepTruncation(1, f, {
    cuts: [
      [17, 'Malformed:mpls_truncated', 'Malformed:mpls_truncated'],
      [21, 'Malformed:mpls_truncated', 'Malformed:mpls_truncated'],
      [22, 'Malformed:mpls_truncated', 'Malformed:mpls_truncated'],
      [23, 'Malformed:ipv6_truncated', 'Malformed:ipv6_truncated'],
    ],
  });
});

test('mpls-single-label-ipv4-and-multicast-ethertype', () => {
  for (const type of [0x8847, 0x8848]) {
    const p = expectDecode(1, eth(type, mpls([3000], inner4udp())), 'Ok');
    assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  }
});

test('mpls-pseudowire-control-word-then-ethernet', () => {
  const f = eth(0x8847, mpls([100, 200], cat('00 00 00 05', eth(0x0800, inner4tcp(), [{ id: 42 }]))));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.vlanId, 42);
  assert.equal(p.ipOff, 14 + 8 + 4 + 18);
  sweepTruncation(1, f);
});

test('mpls-other-first-nibble-is-notip', () => {
  expectDecode(1, eth(0x8847, mpls([5], seqBytes(30, 0x10))), 'NotIp');
});

test('mpls-sixteen-labels-decode-seventeen-are-link_bad_header', () => {
  const labels = (n: number) => Array.from({ length: n }, (_, i) => 16 + i);
  assert.equal(expectDecode(1, eth(0x8847, mpls(labels(16), inner4udp())), 'Ok').ipOff, 14 + 64);
  expectDecode(1, eth(0x8847, mpls(labels(17), inner4udp())), 'Malformed:link_bad_header');
});

test('mpls-stack-without-bottom-is-mpls_truncated', () => {
  expectDecode(1, eth(0x8847, hex('00 01 00 40 00 01 10 40')), 'Malformed:mpls_truncated');
});

test('mpls-in-ppp-protocol-0281', () => {
  const p = expectDecode(9, cat('ff 03 02 81', mpls([16], inner4udp())), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
});
