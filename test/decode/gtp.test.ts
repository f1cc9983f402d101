/**
 * GTP-U (src/decode/gtp.ts, 3GPP TS 29.281) on UDP 2152: G-PDUs with and
 * without the optional sequence word and extension header chain, carrying
 * IPv4 and IPv6; the messages that stay plain UDP flows (echo, end marker,
 * error indication, GTP', GTPv2, bad extension chains, non-IP payloads); and
 * truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, eth, expectDecode, gtpu, hex, inner4tcp, inner4udp, inner6udp, ipv4, outer4udp, payloadOf, seqBytes, sweepTruncation, T, udp } from './frames';

const OUTER = (sport: number, dport: number) => ({ v: 4 as const, src: T.a4, dst: T.b4, proto: 17, sport, dport });

/*
 * G-PDU with sequence number and two extension headers:
 *   36 ff 00 xx 1f 2e 3d 4c      v1, PT, E+S, type 255, length, TEID
 *   00 07 00 85                  sequence 7, N-PDU 0, next: PDU session container
 *   01 00 09 40                  length 1 (4 bytes), QFI 9, next: UDP port
 *   01 08 68 00                  length 1, port 2152, next: none
 *   45 ...                       the user's IPv4 packet
 */
test('gtp-u-with-sequence-and-extension-headers-carrying-ipv4', () => {
  const g = gtpu({ seq: 7, ext: [{ type: 0x85, content: '00 09' }, { type: 0x40, content: '08 68' }] }, inner4tcp());
  assert.deepEqual(g.subarray(0, 20).toString('hex'), `36ff${(g.length - 8).toString(16).padStart(4, '0')}1f2e3d4c000700850100094001086800`);
  const f = outer4udp(2152, 2152, g);
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 1, 'Tunnel.Gtp');
  assert.equal(p.depth, 1);
  assert.equal(p.ipOff, 42 + 20);
  assert.equal(p.ttl, 63);
  assert.equal(p.tcpFlags, 0x12);
  assert.equal(payloadOf(p).toString('latin1'), 'hello');
  sweepTruncation(1, f, {
    allowedKeys: [OUTER(2152, 2152)],
    cuts: [
      [42 + 7, 'Ok', 'Malformed:ipv4_bad_total_length'],
      [42 + 20, 'Ok', 'Malformed:ipv4_bad_total_length'], // extension chain complete, no inner byte yet
      [42 + 21, 'Malformed:ipv4_truncated', 'Malformed:ipv4_bad_total_length'],
    ],
  });
});

test('gtp-u-with-sequence-and-extension-header-carrying-ipv6', () => {
  // 8-byte PDU session container (length 2) between the optional word and the packet.
  const f = outer4udp(2152, 2152, gtpu({ seq: 0x1234, ext: [{ type: 0x85, content: '10 09 00 00 00 00' }] }, inner6udp()));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.tunnel, 1);
  assert.equal(p.ipOff, 42 + 12 + 8);
  assert.equal(p.ttl, 61);
  sweepTruncation(1, f, { allowedKeys: [OUTER(2152, 2152)] });
});

test('gtp-u-plain-g-pdu-without-optional-fields', () => {
  const g = gtpu({}, inner4udp());
  assert.equal(g[0], 0x30);
  const p = expectDecode(1, outer4udp(2152, 2152, g), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.ipOff, 42 + 8);
});

test('gtp-u-n-pdu-flag-alone-brings-the-optional-word', () => {
  const p = expectDecode(1, outer4udp(2152, 2152, gtpu({ flags: 0x31, seq: 0 }, inner4udp())), 'Ok');
  assert.equal(p.ipOff, 42 + 12);
  assert.equal(p.srcPort, 5353);
});

test('gtp-u-echo-request-on-2152-stays-udp', () => {
  // 32 01 00 04 00 00 00 00 | 00 2a 00 00: echo request, sequence 42.
  const echo = hex('32 01 00 04 00 00 00 00 00 2a 00 00');
  const p = expectDecode(1, outer4udp(2152, 2152, echo), 'Ok');
  assertFlow(p, OUTER(2152, 2152));
  assert.equal(p.tunnel, 0);
  assert.deepEqual(payloadOf(p), echo);
});

test('gtp-u-other-messages-and-versions-stay-udp', () => {
  for (const [what, g] of [
    ['end marker', gtpu({ msgType: 254 }, '')],
    ['error indication', gtpu({ msgType: 26 }, inner4udp())],
    ["GTP' (PT 0)", gtpu({ flags: 0x20 }, inner4udp())],
    ['GTP version 0', gtpu({ flags: 0x10 }, inner4udp())],
    ['GTPv2-C', hex('48 20 00 0d 00 00 00 00 00 01 00 00 01 00 04 00 00 00 00')],
    ['G-PDU with no payload', gtpu({}, '')],
    ['G-PDU with a non-IP payload', gtpu({}, seqBytes(30, 0x50))],
    ['header cut', hex('30 ff 00 10 00 00')],
  ] as Array<[string, Buffer]>) {
    const p = expectDecode(1, outer4udp(40000, 2152, g), 'Ok', { msg: what });
    assertFlow(p, OUTER(40000, 2152), what);
    assert.equal(p.tunnel, 0, what);
  }
});

test('gtp-u-bad-extension-chains-stay-udp', () => {
  const nine = Array.from({ length: 9 }, () => ({ type: 0x85, content: '00 09' }));
  const eight = nine.slice(1);
  assert.equal(expectDecode(1, outer4udp(2152, 2152, gtpu({ ext: eight }, inner4udp())), 'Ok').tunnel, 1, 'eight extension headers are opened');
  for (const [what, g] of [
    ['nine extension headers', gtpu({ ext: nine }, inner4udp())],
    ['extension length 0', hex('34 ff 00 10 00 00 00 01 00 00 00 85 00 00 09 00 45 00 00 00')],
    ['extension past the datagram', hex('34 ff 00 08 00 00 00 01 00 00 00 85 05 00 09 00')],
    ['optional word cut', hex('32 ff 00 02 00 00 00 01 00 07')],
  ] as Array<[string, Buffer]>) {
    const p = expectDecode(1, outer4udp(2152, 2152, g), 'Ok');
    assertFlow(p, OUTER(2152, 2152), what);
    assert.equal(p.tunnel, 0, what);
  }
});

test('gtp-u-over-ipv4-udp-with-vlans-keeps-the-outer-vlan', () => {
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(2152, 2152, gtpu({}, inner4udp()))), [{ id: 3233, tpid: 0x8100 }, { id: 20 }]);
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.vlanId, 3233);
  assert.equal(p.srcPort, 5353);
});
