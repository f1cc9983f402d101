/**
 * TCP (src/decode/tcp.ts): ports, sequence/acknowledgement numbers, the nine
 * flag bits (NS as 0x100), window, the options view, payload bounds, data
 * offset checks and truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, cat, eth, expectDecode, hex, ipv4, ipv6, payloadOf, seqBytes, sweepTruncation, tcp } from './frames';

const OPTS = hex('02 04 05 b4 01 03 03 08 04 02 01 01'); // MSS 1460, NOP, wscale 8, SACK-permitted, NOP NOP

test('tcp-fields-options-view-and-payload', () => {
  const seg = tcp({ sport: 443, dport: 60001, seq: 0xffffffff, ack: 0x80000000, flags: 0x10, win: 501, options: OPTS }, seqBytes(100));
  const f = eth(0x0800, ipv4({ src: A.s4, dst: A.c4, proto: 6 }, seg));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.s4, dst: A.c4, proto: 6, sport: 443, dport: 60001 });
  assert.equal(p.tcpSeq, 0xffffffff, 'sequence numbers are unsigned');
  assert.equal(p.tcpAck, 0x80000000);
  assert.equal(p.tcpFlags, 0x10);
  assert.equal(p.tcpWindow, 501);
  assert.equal(p.l4Off, 34);
  assert.equal(p.l4Len, 32 + 100);
  assert.equal(p.tcpOptOff, 34 + 20);
  assert.equal(p.tcpOptLen, 12);
  assert.deepEqual(p.buf.subarray(p.tcpOptOff, p.tcpOptOff + p.tcpOptLen), OPTS);
  assert.equal(p.payloadOff, 34 + 32);
  assert.deepEqual(payloadOf(p), seqBytes(100));
  sweepTruncation(1, f, {
    cuts: [
      [34 + 19, 'Malformed:tcp_truncated', 'Malformed:ipv4_bad_total_length'],
      [34 + 20, 'Ok', 'Malformed:ipv4_bad_total_length'],
      [34 + 31, 'Ok', 'Malformed:ipv4_bad_total_length'],
      [34 + 32, 'Ok', 'Malformed:ipv4_bad_total_length'],
    ],
  });
});

test('tcp-all-nine-flags-including-ns', () => {
  const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2, flags: 0xff, ns: true })), 'Ok');
  assert.equal(p.tcpFlags, 0x1ff);
  const q = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2, flags: 0x02, ns: true })), 'Ok');
  assert.equal(q.tcpFlags, 0x102, 'NS is bit 8, apart from the other flags');
  const r = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, cat(tcp({ sport: 1, dport: 2, flags: 0x11 }).subarray(0, 12), '5e 11 00 00 00 00 00 00')), 'Ok');
  assert.equal(r.tcpFlags, 0x11, 'the three reserved bits next to NS are not flags');
});

test('tcp-without-options-has-an-empty-options-view', () => {
  const p = expectDecode(229, ipv6({ src: A.c6, dst: A.s6, next: 6 }, tcp({ sport: 22, dport: 50000, flags: 0x18 }, 'SSH-2.0-x\r\n'.split('').map((c) => c.charCodeAt(0)))), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 22, dport: 50000 });
  assert.equal(p.tcpOptOff, 60);
  assert.equal(p.tcpOptLen, 0);
  assert.equal(payloadOf(p).toString('latin1'), 'SSH-2.0-x\r\n');
});

test('tcp-data-offset-below-five-words-is-tcp_bad_data_offset', () => {
  for (const doff of [0, 4]) expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2, dataOffset: doff }, seqBytes(8))), 'Malformed:tcp_bad_data_offset');
});

test('tcp-data-offset-past-the-segment-keeps-the-header-with-empty-payload', () => {
  // Data offset 15 (60 bytes) in a 30-byte segment.
  const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2, dataOffset: 15 }, seqBytes(10))), 'Ok');
  assert.equal(p.srcPort, 1);
  assert.equal(p.tcpOptLen, 10);
  assert.equal(p.payloadLen, 0);
  assert.equal(p.payloadOff, 50);
});

test('tcp-header-shorter-than-20-bytes-is-tcp_truncated', () => {
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2 }).subarray(0, 19)), 'Malformed:tcp_truncated');
  expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, ''), 'Malformed:tcp_truncated');
});

test('tcp-payload-ends-at-ip-total-length', () => {
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 1, dport: 2 }, 'aa bb'));
  const p = expectDecode(1, cat(eth(0x0800, ip), Buffer.alloc(20)), 'Ok');
  assert.equal(p.payloadLen, 2);
});
