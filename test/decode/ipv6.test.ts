/**
 * IPv6 (src/decode/ipv6.ts): fixed header fields, the extension header chain
 * (hop-by-hop, routing, destination options, mobility, AH, atomic fragments,
 * "no next header"), the bound on chain length, payload length checks, and
 * truncation at every offset. Fragmented datagrams are in reassembly.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, ah, assertFlow, cat, decode, eth, expectDecode, ext6, frag6, hex, ipv6, outcome, payloadOf, seqBytes, sweepTruncation, tcpSyn, udp, words } from './frames';

/*
 * Raw IPv6 (link type 229), 40 + 8 + 4 bytes:
 *   60 0a 1b 2c 00 0c 11 3f                             v6, flow label, payload length 12, UDP, hop limit 63
 *   20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01     2001:db8::1
 *   fe 80 00 00 00 00 00 00 02 11 22 ff fe 33 44 55     fe80::211:22ff:fe33:4455
 *   02 22 02 23 00 0c 00 00 01 02 03 04                 546 -> 547, length 12, data
 */
const RAW6 = hex(`
  60 0a 1b 2c 00 0c 11 3f
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  fe 80 00 00 00 00 00 00 02 11 22 ff fe 33 44 55
  02 22 02 23 00 0c 00 00 01 02 03 04`);

test('ipv6-udp-fields-and-address-words', () => {
  const p = expectDecode(229, RAW6, 'Ok');
  assertFlow(p, { v: 6, src: '2001:db8::1', dst: 'fe80::211:22ff:fe33:4455', proto: 17, sport: 546, dport: 547 });
  assert.deepEqual(Array.from(p.addr), [0x20010db8, 0, 0, 1, 0xfe800000 | 0, 0, 0x021122ff, 0xfe334455 | 0]);
  assert.equal(p.ttl, 63, 'the hop limit is reported as ttl');
  assert.equal(p.ipOff, 0);
  assert.equal(p.l4Off, 40);
  assert.equal(p.l4Len, 12);
  assert.deepEqual(payloadOf(p), hex('01 02 03 04'));
  sweepTruncation(229, RAW6, {
    cuts: [
      [39, 'Malformed:ipv6_truncated', 'Malformed:ipv6_truncated'],
      [40, 'Malformed:udp_truncated', 'Malformed:ipv6_bad_payload_length'],
      [48, 'Ok', 'Malformed:ipv6_bad_payload_length'],
    ],
  });
});

// Hop-by-hop (8) → routing (16) → destination options (8) → TCP.
const CHAIN = eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 0 }, ext6(43, ext6(60, ext6(6, tcpSyn()), 1))));

test('ipv6-hop-by-hop-routing-destination-options-before-tcp', () => {
  const p = expectDecode(1, CHAIN, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.l4Off, 14 + 40 + 8 + 16 + 8);
  assert.equal(p.tcpFlags, 0x12);
  assert.equal(p.tcpOptLen, 20);
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  const hdrEnd = 14 + 40;
  sweepTruncation(1, CHAIN, {
    cuts: [
      [hdrEnd + 7, 'Malformed:ipv6_truncated', 'Malformed:ipv6_bad_payload_length'],
      [hdrEnd + 8 + 15, 'Malformed:ipv6_truncated', 'Malformed:ipv6_bad_payload_length'],
      [hdrEnd + 32, 'Malformed:tcp_truncated', 'Malformed:ipv6_bad_payload_length'],
    ],
  });
});

test('ipv6-ah-before-udp', () => {
  const f = eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 51 }, ah(17, udp(500, 4500, seqBytes(10)))));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 500, dport: 4500 });
  assert.equal(p.l4Off, 14 + 40 + 24, 'AH length is (4 + 2) * 4 bytes');
  assert.deepEqual(payloadOf(p), seqBytes(10));
  sweepTruncation(1, f);
});

test('ipv6-esp-is-a-flow-without-ports', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 50 }, seqBytes(32)), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 50 });
  assert.equal(p.payloadLen, 32);
});

test('ipv6-mobility-header-is-skipped-by-its-length', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 135 }, ext6(6, tcpSyn(), 1)), 'Ok');
  assert.equal(p.proto, 6);
  assert.equal(p.l4Off, 40 + 16);
});

test('ipv6-atomic-fragment-is-decoded-as-a-whole-packet', () => {
  const d = new Decoder();
  const f = eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6(17, 0, false, 0x11223344, udp(53, 5353, seqBytes(12)))));
  assert.equal(outcome(d, decode(d, 1, f)), 'Ok');
  const p = d.pkt;
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 53, dport: 5353 });
  assert.equal(p.fragment, false);
  assert.equal(p.payloadLen, 12);
  assert.equal(d.frag.pending, 0, 'nothing is kept for reassembly');
  sweepTruncation(1, f);
});

test('ipv6-no-next-header-59-is-a-flow-without-ports', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 0 }, ext6(59, seqBytes(6))), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 59 });
  assert.equal(p.l4Off, 48);
  assert.equal(p.payloadLen, 6);
});

function chainOf(n: number, last: number, payload: Buffer): Buffer {
  let b = payload;
  let next = last;
  for (let i = 0; i < n; i++) {
    b = ext6(next, b);
    next = 60;
  }
  return ipv6({ src: A.c6, dst: A.s6, next: n > 0 ? 60 : last }, b);
}

test('ipv6-sixteen-extension-headers-decode', () => {
  const p = expectDecode(229, chainOf(16, 6, tcpSyn()), 'Ok');
  assert.equal(p.proto, 6);
  assert.equal(p.l4Off, 40 + 16 * 8);
});

test('ipv6-chain-of-17-headers-is-ipv6_bad_extension_header', () => {
  expectDecode(229, chainOf(17, 6, tcpSyn()), 'Malformed:ipv6_bad_extension_header');
  // AH counts toward the same bound.
  expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 51 }, ah(60, chainOf(16, 6, tcpSyn()).subarray(40))), 'Malformed:ipv6_bad_extension_header');
});

test('ipv6-extension-header-past-the-packet-is-ipv6_truncated', () => {
  // Destination options claiming 16 bytes (units 1) in an 8-byte remainder.
  expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 60 }, hex('06 01 00 00 00 00 00 00')), 'Malformed:ipv6_truncated');
  // Fewer than 8 bytes left for a hop-by-hop header.
  expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 0 }, hex('06 00 00 00')), 'Malformed:ipv6_truncated');
  // Fragment header cut.
  expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 44 }, hex('11 00 00 01')), 'Malformed:ipv6_truncated');
});

test('ipv6-payload-length-longer-than-wire-frame-is-ipv6_bad_payload_length', () => {
  const ip = ipv6({ src: A.c6, dst: A.s6, next: 17, plen: 200 }, udp(1, 2, seqBytes(20)));
  expectDecode(229, ip, 'Malformed:ipv6_bad_payload_length');
  // The same with the capture's snap length cutting the datagram.
  const p = expectDecode(229, ip, 'Ok', { caplen: ip.length, wireLen: 240 });
  assert.equal(p.payloadLen, 20);
});

test('ipv6-payload-length-zero-means-to-the-end-of-capture', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 17, plen: 0 }, udp(1, 2, seqBytes(70000 - 48), 0)), 'Ok');
  assert.equal(p.payloadLen, 70000 - 48);
});

test('ipv6-trailing-link-padding-is-cut', () => {
  const p = expectDecode(1, cat(eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 17 }, udp(1, 2, 'aa'))), '00 00 00 00'), 'Ok');
  assert.equal(p.payloadLen, 1);
  assert.equal(p.l4Len, 9);
});

test('ipv6-ethertype-with-version-4-inside-is-a-bad-version', () => {
  // There is no ipv6_bad_version reason; the IPv4 one is used.
  expectDecode(1, eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 17, version: 4 }, udp(1, 2, ''))), 'Malformed:ipv4_bad_version');
});

test('ipv6-addresses-fill-all-eight-words', () => {
  const p = expectDecode(229, ipv6({ src: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', dst: '::', next: 59 }, ''), 'Ok');
  assert.deepEqual(Array.from(p.addr), [-1, -1, -1, -1, 0, 0, 0, 0]);
  assert.deepEqual(words('::ffff:1.2.3.4'.replace('1.2.3.4', '102:304')), [0, 0, 0xffff, 0x01020304]);
});
