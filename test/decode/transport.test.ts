/**
 * IP payload dispatch and IP-carried tunnels (src/decode/transport.ts):
 * IP-in-IP (4), IPv6-in-IPv4 (41), IPv4-in-IPv6 and IPv6-in-IPv6, the version
 * check on the inner header, --no-tunnels, the tunnel type kept for the
 * outermost tunnel, the depth counter and MAX_TUNNEL_DEPTH, with truncation
 * at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TUNNEL_DEPTH } from '../../src/decode/decoder';
import { A, assertFlow, eth, expectDecode, gre, gtpu, hex, inner4tcp, inner4udp, inner6tcp, inner6udp, ipv4, ipv6, payloadOf, sweepTruncation, T, udp, vxlan } from './frames';

const OUT4 = (proto: number) => ({ v: 4 as const, src: T.a4, dst: T.b4, proto });
const OUT6 = (proto: number) => ({ v: 6 as const, src: T.a6, dst: T.b6, proto });

test('ip-in-ip-4', () => {
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 4, ttl: 200 }, inner4tcp()));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 5, 'Tunnel.IpIp');
  assert.equal(p.depth, 1);
  assert.equal(p.ipOff, 34);
  assert.equal(p.ttl, 63);
  sweepTruncation(1, f, { allowedKeys: [OUT4(4)], cuts: [[34, 'Ok', 'Malformed:ipv4_bad_total_length'], [35, 'Malformed:ipv4_truncated', 'Malformed:ipv4_bad_total_length']] });
});

test('6in4-41', () => {
  const f = eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 41 }, inner6tcp()));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 6, 'Tunnel.SixIn4');
  assert.equal(p.ipVersion, 6);
  sweepTruncation(1, f, { allowedKeys: [OUT4(41)] });
});

test('4in6', () => {
  const f = eth(0x86dd, ipv6({ src: T.a6, dst: T.b6, next: 4 }, inner4udp()));
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.tunnel, 5);
  assert.deepEqual(Array.from(p.addr).slice(1, 4), [0, 0, 0], 'the outer IPv6 words are cleared');
  sweepTruncation(1, f, { allowedKeys: [OUT6(4)] });
});

test('6in6-behind-a-destination-options-header', () => {
  const p = expectDecode(1, eth(0x86dd, ipv6({ src: T.a6, dst: T.b6, next: 60 }, Buffer.concat([hex('29 00 01 04 00 00 00 00'), inner6udp()]))), 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.tunnel, 6);
});

test('ip-in-ip-with-the-wrong-inner-version-stays-the-outer-flow', () => {
  let p = expectDecode(1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 4 }, inner6udp())), 'Ok');
  assertFlow(p, OUT4(4));
  assert.equal(p.tunnel, 0);
  p = expectDecode(1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 41 }, inner4udp())), 'Ok');
  assertFlow(p, OUT4(41));
  p = expectDecode(1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 41 }, '')), 'Ok');
  assertFlow(p, OUT4(41));
  assert.equal(p.payloadLen, 0);
});

test('ip-in-ip-no-tunnels-leaves-the-outer-flow', () => {
  const p = expectDecode(1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 4 }, inner4tcp())), 'Ok', { decoder: { tunnels: false } });
  assertFlow(p, OUT4(4));
  assert.deepEqual(payloadOf(p), inner4tcp());
  assertFlow(expectDecode(1, eth(0x86dd, ipv6({ src: T.a6, dst: T.b6, next: 41 }, inner6tcp())), 'Ok', { decoder: { tunnels: false } }), OUT6(41));
});

test('nested-tunnels-keep-the-outermost-type-and-count-depth', () => {
  // VXLAN → GRE → IP-in-IP → inner TCP.
  const g = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 47 }, gre({ proto: 0x0800 }, ipv4({ src: '172.17.0.1', dst: '172.17.0.2', proto: 4 }, inner4tcp())));
  const p = expectDecode(1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(1, 4789, vxlan(7, eth(0x0800, g))))), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.tunnel, 2, 'VXLAN, the outermost');
  assert.equal(p.depth, 3);
});

function nestIpIp(levels: number): Buffer {
  let b = inner4udp();
  for (let i = 0; i < levels; i++) b = ipv4({ src: `10.0.${i}.1`, dst: `10.0.${i}.2`, proto: 4 }, b);
  return eth(0x0800, b);
}

test('tunnel-nesting-up-to-max-depth-decodes', () => {
  assert.equal(MAX_TUNNEL_DEPTH, 4);
  const p = expectDecode(1, nestIpIp(MAX_TUNNEL_DEPTH), 'Ok');
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
  assert.equal(p.depth, MAX_TUNNEL_DEPTH);
});

test('tunnel-nesting-deeper-than-max-depth-is-tunnel_too_deep', () => {
  expectDecode(1, nestIpIp(MAX_TUNNEL_DEPTH + 1), 'Malformed:tunnel_too_deep');
  // The same with UDP tunnels: GTP-U in GTP-U ...
  let b = inner6udp();
  for (let i = 0; i <= MAX_TUNNEL_DEPTH; i++) b = ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(2152, 2152, gtpu({ teid: i }, b)));
  expectDecode(1, eth(0x0800, b), 'Malformed:tunnel_too_deep');
  // ... and with tunnels off the outermost flow is reported.
  assertFlow(expectDecode(1, nestIpIp(MAX_TUNNEL_DEPTH + 1), 'Ok', { decoder: { tunnels: false } }), { v: 4, src: `10.0.${MAX_TUNNEL_DEPTH}.1`, dst: `10.0.${MAX_TUNNEL_DEPTH}.2`, proto: 4 });
});
