/**
 * IPv4 (src/decode/ipv4.ts): header fields, options skipped, total length
 * (padding cut, 0 = to the end of the capture, longer than the wire frame =
 * malformed unless the capture's snap length cut it), version and header
 * length checks, protocols without ports, and truncation at every offset.
 * Fragments are covered by reassembly.test.ts; IP-in-IP by transport.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, cat, decode, eth, expectDecode, hex, ipv4, outcome, payloadOf, seqBytes, sweepTruncation, tcpSyn, udp, words } from './frames';

/*
 * Raw IPv4 (link type 101), 20 + 8 + 6 bytes:
 *   45 b8 00 22 ab cd 00 00 01 11 00 00   ihl 5, tos 0xb8, total 34, id, no flags, ttl 1, UDP
 *   0a 00 00 01 ef ff ff fa               10.0.0.1 -> 239.255.255.250
 *   07 6c 07 6c 00 0e 00 00               1900 -> 1900, length 14
 *   4d 2d 53 45 41 52                     "M-SEAR"
 */
const RAW_UDP = hex('45 b8 00 22 ab cd 00 00 01 11 00 00 0a 00 00 01 ef ff ff fa 07 6c 07 6c 00 0e 00 00 4d 2d 53 45 41 52');

test('ipv4-udp-fields-and-address-words', () => {
  const p = expectDecode(101, RAW_UDP, 'Ok');
  assertFlow(p, { v: 4, src: '10.0.0.1', dst: '239.255.255.250', proto: 17, sport: 1900, dport: 1900 });
  // Addresses are signed Int32 words in network order; IPv4 leaves words 1-3 and 5-7 at zero.
  assert.deepEqual(Array.from(p.addr), [0x0a000001, 0, 0, 0, 0xeffffffa | 0, 0, 0, 0]);
  assert.ok(p.addr[4] < 0, 'an address with the top bit set is a negative word');
  assert.equal(p.ttl, 1);
  assert.equal(p.ipOff, 0);
  assert.equal(p.l4Off, 20);
  assert.equal(p.l4Len, 14);
  assert.equal(payloadOf(p).toString('latin1'), 'M-SEAR');
  sweepTruncation(101, RAW_UDP, {
    cuts: [
      [0, 'Malformed:link_truncated', 'Malformed:link_truncated'],
      [19, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated'],
      [20, 'Malformed:udp_truncated', 'Malformed:ipv4_bad_total_length'],
      [27, 'Malformed:udp_truncated', 'Malformed:ipv4_bad_total_length'],
      [28, 'Ok', 'Malformed:ipv4_bad_total_length'],
      [33, 'Ok', 'Malformed:ipv4_bad_total_length'],
    ],
  });
});

test('ipv4-options-are-skipped-by-header-length', () => {
  // ihl 7: router alert (94 04 00 00) and a NOP/EOL word.
  const f = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 6, options: '94 04 00 00 01 01 01 00' }, tcpSyn()));
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.l4Off, 14 + 28);
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  sweepTruncation(1, f, { cuts: [[14 + 27, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated'], [14 + 28, 'Malformed:tcp_truncated', 'Malformed:ipv4_bad_total_length']] });
});

test('ipv4-total-length-longer-than-wire-frame-is-ipv4_bad_total_length', () => {
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 20 + 8 + 100 }, udp(1, 2, seqBytes(20)));
  const d = new Decoder();
  assert.equal(outcome(d, decode(d, 101, ip)), 'Malformed:ipv4_bad_total_length');
  assert.deepEqual(d.malformedByReason(), { ipv4_bad_total_length: 1 });
});

test('ipv4-total-length-cut-by-snaplen-decodes-ok', () => {
  // The same packet captured with caplen < wireLen: the total length reaches the wire length only.
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1, 2, seqBytes(100)));
  const p = expectDecode(101, ip, 'Ok', { caplen: 48, wireLen: ip.length });
  assert.equal(p.uncaptured, ip.length - 48);
  assert.equal(p.payloadLen, 20, 'the payload view ends at the captured bytes');
  // ... but not beyond the wire length.
  const longer = ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: ip.length + 1 }, udp(1, 2, seqBytes(100)));
  expectDecode(101, longer, 'Malformed:ipv4_bad_total_length', { caplen: 48, wireLen: ip.length });
});

test('ipv4-total-length-zero-means-to-the-end-of-capture', () => {
  // Segmentation offload captures write 0.
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 0 }, udp(1, 2, seqBytes(3000 - 28), 0));
  const p = expectDecode(101, ip, 'Ok');
  assert.equal(p.payloadLen, 3000 - 28);
});

test('ipv4-total-length-shorter-than-header-is-ipv4_bad_total_length', () => {
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 19 }, udp(1, 2, '')), 'Malformed:ipv4_bad_total_length');
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17, totalLen: 23, options: '01 01 01 00' }, udp(1, 2, '')), 'Malformed:ipv4_bad_total_length');
});

test('ipv4-header-length-below-five-words-is-ipv4_bad_header_length', () => {
  for (const ihl of [0, 1, 4]) expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17, ihl }, udp(1, 2, seqBytes(8))), 'Malformed:ipv4_bad_header_length');
});

test('ipv4-header-length-beyond-capture-is-ipv4_truncated', () => {
  // ihl 15 (60 bytes) in a 40-byte packet.
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 17, ihl: 15 }, udp(1, 2, seqBytes(12))), 'Malformed:ipv4_truncated');
});

test('ipv4-wrong-version-behind-ethertype-0800-is-ipv4_bad_version', () => {
  expectDecode(1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, version: 5 }, udp(1, 2, ''))), 'Malformed:ipv4_bad_version');
});

test('ipv4-protocols-without-ports-are-flows-with-ports-zero', () => {
  for (const proto of [50, 89, 112, 2, 255]) {
    const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto }, seqBytes(24)), 'Ok');
    assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto });
    assert.equal(p.payloadOff, 20);
    assert.equal(p.payloadLen, 24);
    assert.equal(p.l4Len, 24);
  }
});

test('ipv4-fields-are-reset-between-frames', () => {
  const d = new Decoder();
  assert.equal(decode(d, 1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcpSyn()), [{ id: 9 }])), 0);
  assert.equal(d.pkt.tcpFlags, 0x12);
  assert.equal(decode(d, 101, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: 50 }, seqBytes(8))), 0);
  const p = d.pkt;
  assertFlow(p, { v: 4, src: '1.2.3.4', dst: '5.6.7.8', proto: 50 });
  assert.equal(p.vlanId, 0);
  assert.equal(p.tcpFlags, 0);
  assert.equal(p.tcpOptLen, 0);
  assert.deepEqual(Array.from(p.addr), [words('1.2.3.4')[0], 0, 0, 0, words('5.6.7.8')[0], 0, 0, 0]);
});

test('ipv4-dont-fragment-flag-is-not-a-fragment', () => {
  const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6, df: true }, tcpSyn()), 'Ok');
  assert.equal(p.fragment, false);
  assert.equal(p.payloadLen, 5);
});

test('ipv4-trailing-bytes-after-total-length-are-cut', () => {
  const ip = cat(ipv4({ src: A.c4, dst: A.s4, proto: 47 }, seqBytes(10)), 'ff ff ff ff');
  const p = expectDecode(101, ip, 'Ok');
  assert.equal(p.proto, 47, 'GRE whose header does not parse stays a GRE flow');
  assert.equal(p.payloadLen, 10);
});
