/**
 * PPPoE session stage (src/decode/pppoe.ts, RFC 2516): IPv4 and IPv6
 * sessions, the PPPoE length bounding the payload, control protocols and the
 * discovery stage as non-IP, header checks, and truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, cat, eth, expectDecode, hex, inner4tcp, inner6udp, ipv4, payloadOf, pppoe, sweepTruncation, udp } from './frames';

/*
 * Ethernet type 0x8864, then
 *   11 00 12 34 00 xx     ver/type 1/1, code 0, session 0x1234, length
 *   00 21                 PPP protocol IPv4
 *   45 ...                IPv4 / TCP
 */
test('pppoe-session-carrying-ipv4', () => {
  const f = eth(0x8864, pppoe(0x0021, inner4tcp()), [{ id: 10 }]);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.vlanId, 10);
  assert.equal(p.ipOff, 18 + 8);
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  sweepTruncation(1, f, {
    cuts: [
      [18 + 7, 'Malformed:pppoe_truncated', 'Malformed:pppoe_truncated'],
      [18 + 8, 'Malformed:link_truncated', 'Malformed:link_truncated'],
      [18 + 9, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated'],
    ],
  });
});

test('pppoe-session-carrying-ipv6', () => {
  const p = expectDecode(1, eth(0x8864, pppoe(0x0057, inner6udp())), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
});

test('pppoe-length-bounds-the-payload-before-ethernet-padding', () => {
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 0 }, udp(1, 2, 'aa bb', 0));
  const f = cat(eth(0x8864, pppoe(0x0021, ip)), Buffer.alloc(12, 0xee));
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.payloadLen, 2, 'the PPPoE length, not the frame end, ends the datagram');
});

test('pppoe-control-protocols-and-discovery-are-notip', () => {
  expectDecode(1, eth(0x8864, pppoe(0xc021, hex('01 01 00 0e 01 04 05 d4 05 06 12 34 56 78'))), 'NotIp'); // LCP
  expectDecode(1, eth(0x8864, pppoe(0x8021, hex('01 01 00 0a 03 06 00 00 00 00'))), 'NotIp'); // IPCP
  expectDecode(1, eth(0x8863, hex('11 09 00 00 00 04 01 01 00 00')), 'NotIp'); // PADI
});

test('pppoe-bad-version-type-is-link_bad_header', () => {
  expectDecode(1, eth(0x8864, pppoe(0x0021, inner4tcp(), { verType: 0x12 })), 'Malformed:link_bad_header');
});

test('pppoe-length-too-short-for-the-ppp-protocol-is-link_truncated', () => {
  expectDecode(1, eth(0x8864, pppoe(0x0021, inner4tcp(), { len: 1 })), 'Malformed:link_truncated');
});
