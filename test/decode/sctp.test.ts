/**
 * SCTP common header (src/decode/sctp.ts): ports, chunks as payload, and a
 * header shorter than 12 bytes.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, cat, eth, expectDecode, hex, ipv4, ipv6, payloadOf, seqBytes, sweepTruncation } from './frames';

// 2905 -> 2905 (M3UA), verification tag, checksum, then a DATA chunk.
const SCTP = cat(hex('0b 59 0b 59 12 34 56 78 9a bc de f0'), hex('00 03 00 14 00 00 00 01 00 00 00 00 00 00 00 03'), seqBytes(4));

test('sctp-ports-and-chunks-as-payload', () => {
  const f = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 132 }, SCTP));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 132, sport: 2905, dport: 2905 });
  assert.equal(p.payloadOff, 14 + 20 + 12);
  assert.equal(p.payloadLen, SCTP.length - 12);
  assert.deepEqual(payloadOf(p), SCTP.subarray(12));
  sweepTruncation(1, f, { cuts: [[14 + 20 + 11, 'Malformed:sctp_truncated', 'Malformed:ipv4_bad_total_length'], [14 + 20 + 12, 'Ok', 'Malformed:ipv4_bad_total_length']] });
});

test('sctp-over-ipv6', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 132 }, SCTP), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 132, sport: 2905, dport: 2905 });
});

test('sctp-short-header-is-sctp_truncated', () => {
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 132 }, SCTP.subarray(0, 11)), 'Malformed:sctp_truncated');
});
