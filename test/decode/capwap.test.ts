/**
 * CAPWAP data channel (src/decode/capwap.ts, RFC 5415/5416) on UDP 5247:
 * 802.3 payloads, native 802.11 payloads with normal and Cisco byte-swapped
 * frame control, and the datagrams that stay UDP flows (DTLS preamble,
 * fragments, keep-alives, bad header lengths, control port 5246), with
 * truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, capwap, cat, dot11, eth, expectDecode, hex, inner4tcp, inner4udp, inner6udp, outer4udp, payloadOf, seqBytes, snap, sweepTruncation, T } from './frames';

const OUTER = { v: 4 as const, src: T.a4, dst: T.b4, proto: 17, sport: 5247, dport: 5247 };

/*
 * CAPWAP data, 802.3 frame, HLEN 4 (16 bytes):
 *   00 20 02 00   preamble 0, HLEN 4, RID 0, WBID 1, T 0
 *   00 00 00 00   fragment id / offset
 *   00 00 00 00   (radio MAC / wireless specific information words)
 *   00 00 00 00
 *   00 1b 21 ...  Ethernet frame
 */
test('capwap-8023-frame', () => {
  const c = capwap({ hlen: 4, wbid: 1 }, eth(0x0800, inner4udp()));
  assert.deepEqual(c.subarray(0, 4), hex('00 20 02 00'));
  const f = outer4udp(5247, 5247, c);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.tunnel, 7, 'Tunnel.Capwap');
  assert.equal(p.depth, 1);
  assert.equal(p.ipOff, 42 + 16 + 14);
  sweepTruncation(1, f, { allowedKeys: [OUTER], cuts: [[42 + 16, 'Ok', 'Malformed:ipv4_bad_total_length'], [42 + 17, 'Malformed:link_truncated', 'Malformed:ipv4_bad_total_length']] });
});

/*
 * CAPWAP data, native 802.11 (T = 1, WBID 1):
 *   00 10 03 00           HLEN 2, WBID 1, T
 *   00 00 00 00
 *   88 01 2c 00 ...       QoS data, to-DS, 24-byte header + QoS control
 *   aa aa 03 00 00 00 08 00  LLC/SNAP IPv4
 */
test('capwap-80211-qos-data-frame', () => {
  const c = capwap({ wbid: 1, t: true }, dot11({ qos: true, toDs: true }, snap(0x0800, inner4tcp())));
  assert.deepEqual(c.subarray(0, 4), hex('00 10 03 00'));
  const f = outer4udp(5247, 5247, c);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 7);
  assert.equal(p.ipOff, 42 + 8 + 26 + 8);
  sweepTruncation(1, f, { allowedKeys: [OUTER] });
});

test('capwap-80211-byte-swapped-frame-control', () => {
  const c = capwap({ wbid: 1, t: true }, dot11({ qos: true, toDs: true, swapped: true }, snap(0x86dd, inner6udp())));
  assert.deepEqual(c.subarray(8, 10), hex('01 88'), 'flags byte first, then type/subtype');
  const f = outer4udp(5247, 5247, c);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  sweepTruncation(1, f, { allowedKeys: [OUTER] });
  // Non-QoS data, from-DS, swapped.
  const q = expectDecode(1, outer4udp(5247, 5247, capwap({ wbid: 1, t: true }, dot11({ fromDs: true, swapped: true }, snap(0x0800, inner4udp())))), 'Ok');
  assert.equal(q.srcPort, 5353);
});

// Regression: with Retry set and More-Fragments clear the flags byte looks like a data frame
// type ((flags >> 2) & 3 === 2); the to-DS bit (protocol version bits must be 0) decides.
test('capwap-80211-byte-swapped-retransmission-opens-too', () => {
  const c = capwap({ wbid: 1, t: true }, dot11({ qos: true, toDs: true, retry: true, swapped: true }, snap(0x0800, inner4tcp())));
  assert.deepEqual(c.subarray(8, 10), hex('09 88'));
  const p = expectDecode(1, outer4udp(5247, 5247, c), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
});

test('capwap-80211-normal-retransmission-is-not-taken-as-swapped', () => {
  const c = capwap({ wbid: 1, t: true }, dot11({ qos: true, toDs: true, retry: true }, snap(0x0800, inner4tcp())));
  const p = expectDecode(1, outer4udp(5247, 5247, c), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
});

test('capwap-with-dtls-preamble-stays-udp', () => {
  // 01 00 00 00 | 16 fe fd ...: DTLS-protected data channel.
  const dtls = hex('01 00 00 00 17 fe fd 00 01 00 00 00 00 00 05 00 20 aa bb cc dd');
  const p = expectDecode(1, outer4udp(5247, 5247, dtls), 'Ok');
  assertFlow(p, OUTER);
  assert.equal(p.tunnel, 0);
  assert.deepEqual(payloadOf(p), dtls);
});

test('capwap-fragment-keepalive-and-bad-header-length-stay-udp', () => {
  for (const [what, c] of [
    ['fragment (F bit)', capwap({ f: true }, eth(0x0800, inner4udp()))],
    ['keep-alive (K bit)', capwap({ k: true }, hex('00 08 00 00 00 00 00 00'))],
    ['HLEN 1', capwap({ hlen: 1 }, cat(seqBytes(4), eth(0x0800, inner4udp())))],
    ['header only, nothing after it', capwap({ hlen: 2 }, '')],
    ['HLEN 31 past the datagram', cat('00 f8 02 00 00 00 00 00', eth(0x0800, inner4udp()).subarray(0, 40))],
    ['version 1 preamble', capwap({ preamble: 0x10 }, eth(0x0800, inner4udp()))],
  ] as Array<[string, Buffer]>) {
    const p = expectDecode(1, outer4udp(5247, 5247, c), 'Ok', { msg: what });
    assertFlow(p, OUTER, what);
    assert.equal(p.tunnel, 0, what);
  }
});

test('capwap-80211-protected-or-management-frame-is-the-outer-udp-flow', () => {
  for (const frame of [dot11({ qos: true, toDs: true, protectedFrame: true }, seqBytes(40)), dot11({ type: 0, subtype: 4 }, seqBytes(20)), dot11({ type: 1, subtype: 11 }, seqBytes(10))]) {
    const p = expectDecode(1, outer4udp(5247, 5247, capwap({ wbid: 1, t: true }, frame)), 'Ok');
    assertFlow(p, OUTER);
    assert.equal(p.tunnel, 0);
  }
});

test('capwap-control-port-5246-is-not-opened', () => {
  const p = expectDecode(1, outer4udp(5246, 5246, capwap({ hlen: 2 }, eth(0x0800, inner4udp()))), 'Ok');
  assertFlow(p, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 5246, dport: 5246 });
});
