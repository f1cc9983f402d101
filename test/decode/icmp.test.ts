/**
 * ICMP and ICMPv6 (src/decode/icmp.ts): type and code, flows keyed without
 * ports, the 8-byte header taken off the payload, and short messages.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, assertFlow, eth, expectDecode, hex, ipv4, ipv6, payloadOf, sweepTruncation } from './frames';

// Echo request: type 8, code 0, checksum, id 1, seq 1, "abcd".
const ECHO = hex('08 00 f7 ff 00 01 00 01 61 62 63 64');

test('icmp-echo-request-type-code-and-payload', () => {
  const f = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 1 }, ECHO));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 1 });
  assert.equal(p.icmpType, 8);
  assert.equal(p.icmpCode, 0);
  assert.equal(p.payloadOff, 14 + 20 + 8);
  assert.equal(payloadOf(p).toString('latin1'), 'abcd');
  sweepTruncation(1, f, { cuts: [[34, 'Ok', 'Malformed:ipv4_bad_total_length'], [35, 'Ok', 'Malformed:ipv4_bad_total_length']] });
});

test('icmp-destination-unreachable-quoted-datagram-is-payload-not-decoded', () => {
  const quoted = ipv4({ src: A.s4, dst: A.c4, proto: 17 }, '00 35 14 e9 00 10 00 00');
  const p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 1 }, Buffer.concat([hex('03 03 00 00 00 00 00 00'), quoted])), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 1 });
  assert.equal(p.icmpType, 3);
  assert.equal(p.icmpCode, 3);
  assert.equal(p.payloadLen, quoted.length);
});

test('icmp-shorter-than-its-header-is-ok-with-what-is-there', () => {
  let p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 1 }, '0b 01 ff'), 'Ok');
  assert.equal(p.icmpType, 11);
  assert.equal(p.icmpCode, 1);
  assert.equal(p.payloadLen, 0);
  p = expectDecode(101, ipv4({ src: A.c4, dst: A.s4, proto: 1 }, '0b'), 'Ok');
  assert.equal(p.icmpType, 0);
  assert.equal(p.payloadLen, 0);
});

test('icmpv6-neighbor-solicitation', () => {
  const f = eth(0x86dd, ipv6({ src: A.c6, dst: 'ff02::1:ff00:80', next: 58, hopLimit: 255 }, hex('87 00 00 00 00 00 00 00 20 01 0d b8 bb bb 00 00 00 00 00 00 00 80 00 01')));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: 'ff02::1:ff00:80', proto: 58 });
  assert.equal(p.icmpType, 135);
  assert.equal(p.ttl, 255);
  assert.equal(p.payloadLen, 16);
  sweepTruncation(1, f);
});
