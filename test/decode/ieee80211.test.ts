/**
 * IEEE 802.11 data frames (src/decode/ieee80211.ts) on link type 105: QoS and
 * non-QoS data with LLC/SNAP, the fourth address (WDS), the HT control field,
 * and the frames counted as non-IP (management, control, null data,
 * protected, A-MSDU, non-SNAP LLC), with truncation at every offset.
 * Radiotap/PPI framings are in link.test.ts, CAPWAP's byte-swapped frame
 * control in capwap.test.ts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, dot11, expectDecode, hex, inner4tcp, inner4udp, inner6udp, payloadOf, seqBytes, snap, sweepTruncation } from './frames';

/*
 * QoS data, to-DS:
 *   88 01 2c 00                 frame control (type 2 subtype 8), flags to-DS; duration
 *   a1 a1 a1 a1 a1 01 ...       addr1, addr2, addr3
 *   10 00                       sequence control
 *   00 00                       QoS control (no A-MSDU)
 *   aa aa 03 00 00 00 08 00     LLC/SNAP IPv4
 */
test('ieee80211-qos-data-with-llc-snap', () => {
  const f = dot11({ qos: true, toDs: true }, snap(0x0800, inner4tcp()));
  assert.deepEqual(f.subarray(0, 2), hex('88 01'));
  const p = expectDecode(105, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.ipOff, 26 + 8);
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  sweepTruncation(105, f, {
    cuts: [
      [23, 'Malformed:link_truncated', 'Malformed:link_truncated'],
      [25, 'Malformed:link_truncated', 'Malformed:link_truncated'],
      [26, 'NotIp', 'NotIp'],
      [29, 'Malformed:link_truncated', 'Malformed:link_truncated'],
      [34, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated'],
    ],
  });
});

test('ieee80211-non-qos-data-from-ds', () => {
  const p = expectDecode(105, dot11({ fromDs: true }, snap(0x86dd, inner6udp())), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.ipOff, 24 + 8);
});

test('ieee80211-four-address-wds-frame', () => {
  const f = dot11({ qos: true, toDs: true, fromDs: true }, snap(0x0800, inner4udp()));
  const p = expectDecode(105, f, 'Ok');
  assert.equal(p.ipOff, 30 + 2 + 8);
  assert.equal(p.srcPort, 5353);
  sweepTruncation(105, f);
});

test('ieee80211-qos-with-ht-control-field', () => {
  const p = expectDecode(105, dot11({ qos: true, toDs: true, htc: true }, snap(0x0800, inner4udp())), 'Ok');
  assert.equal(p.ipOff, 26 + 4 + 8);
  // Without QoS the order bit adds no HT control field.
  const q = expectDecode(105, dot11({ toDs: true, htc: true }, snap(0x0800, inner4udp())), 'Ok');
  assert.equal(q.ipOff, 24 + 8);
});

test('ieee80211-frames-without-ip-are-notip', () => {
  for (const [what, f] of [
    ['beacon', dot11({ type: 0, subtype: 8 }, seqBytes(40))],
    ['ack (control)', dot11({ type: 1, subtype: 13 }, '')],
    ['null data', dot11({ subtype: 4, toDs: true }, '')],
    ['QoS null', dot11({ subtype: 12, qos: true, toDs: true }, '')],
    ['protected', dot11({ qos: true, toDs: true, protectedFrame: true }, seqBytes(40))],
    ['A-MSDU', dot11({ qos: true, toDs: true, amsdu: true }, snap(0x0800, inner4udp()))],
    ['non-SNAP LLC', dot11({ toDs: true }, hex('42 42 03 00 00 00 00 00'))],
    ['SNAP with ARP', dot11({ toDs: true }, snap(0x0806, seqBytes(28)))],
    ['EAPOL', dot11({ qos: true, toDs: true }, snap(0x888e, seqBytes(20)))],
  ] as Array<[string, Buffer]>) {
    expectDecode(105, f, 'NotIp', { msg: what });
  }
});

test('ieee80211-shorter-than-a-mac-header-is-link_truncated', () => {
  expectDecode(105, dot11({ qos: true }, '').subarray(0, 23), 'Malformed:link_truncated');
});
