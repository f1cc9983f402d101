/**
 * TZSP (src/decode/tzsp.ts) on UDP 37008: Ethernet and 802.11
 * encapsulations, tagged fields (padding, tags with values, END), and the
 * datagrams that stay UDP flows (other versions, types, encapsulations, a
 * missing END tag), with truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, dot11, eth, expectDecode, hex, inner4udp, inner6udp, outer4udp, snap, sweepTruncation, T, tzsp } from './frames';

const OUTER = { v: 4 as const, src: T.a4, dst: T.b4, proto: 17, sport: 40002, dport: 37008 };

/*
 * TZSP carrying Ethernet, with tags:
 *   01 00 00 01        version 1, type 0 (received), encapsulation 1 (Ethernet)
 *   00                 PADDING
 *   0a 01 c4           RX signal (10), length 1, -60 dBm
 *   0c 02 00 36        RX channel/rate tag with 2 bytes
 *   01                 END
 *   00 1b 21 ...       Ethernet frame
 */
test('tzsp-ethernet-with-tags', () => {
  const t = tzsp(1, '00 0a 01 c4 0c 02 00 36 01', eth(0x0800, inner4udp()));
  assert.deepEqual(t.subarray(0, 4), hex('01 00 00 01'));
  const f = outer4udp(40002, 37008, t);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.tunnel, 8, 'Tunnel.Tzsp');
  assert.equal(p.ipOff, 42 + 13 + 14);
  sweepTruncation(1, f, { allowedKeys: [OUTER], cuts: [[42 + 12, 'Ok', 'Malformed:ipv4_bad_total_length'], [42 + 13, 'Malformed:link_truncated', 'Malformed:ipv4_bad_total_length']] });
});

test('tzsp-80211-encapsulation', () => {
  const f = outer4udp(40002, 37008, tzsp(18, '01', dot11({ qos: true, fromDs: true }, snap(0x86dd, inner6udp()))));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.tunnel, 8);
  sweepTruncation(1, f, { allowedKeys: [OUTER] });
});

test('tzsp-transmitted-type-and-source-port-37008', () => {
  const p = expectDecode(1, outer4udp(37008, 40002, tzsp(1, '01', eth(0x0800, inner4udp()), 1, 1)), 'Ok');
  assert.equal(p.tunnel, 8);
});

test('tzsp-other-versions-types-encapsulations-and-no-end-tag-stay-udp', () => {
  for (const [what, t] of [
    ['version 2', tzsp(1, '01', eth(0x0800, inner4udp()), 2)],
    ['type 4 keepalive', tzsp(1, '01', '', 1, 4)],
    ['encapsulation 0x77', tzsp(0x77, '01', eth(0x0800, inner4udp()))],
    ['no END tag', tzsp(1, '00 00 00', '')],
    ['tag running past the datagram', tzsp(1, '0a 40 c4', '')],
    ['shorter than 5 bytes', hex('01 00 00 01')],
  ] as Array<[string, Buffer]>) {
    const p = expectDecode(1, outer4udp(40002, 37008, t), 'Ok');
    assertFlow(p, OUTER, what);
    assert.equal(p.tunnel, 0, what);
  }
});
