/**
 * Ethernet II and IEEE 802.3 + 802.2 LLC/SNAP framing, stacked VLAN tags
 * (802.1Q 0x8100, 802.1ad 0x88a8, 0x9100) and the EtherType dispatch of
 * src/decode/ethernet.ts: field values, non-IP frames, padding, limits and
 * truncation at every offset.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, cat, decode, eth, eth8023, expectDecode, hex, inner4tcp, inner4udp, inner6udp, ipv4, outcome, payloadOf, R, seqBytes, snap, sweepTruncation, udp } from './frames';

/*
 * 70 bytes: Ethernet II, IPv4, TCP with 12 bytes of options and "GET ".
 *   00 1b 21 3a 4f 01 3c fd fe 9a 8b 02 08 00              dst, src, type IPv4
 *   45 00 00 38 1c 46 40 00 3f 06 00 00                    v4 ihl 5, total 56, id, DF, ttl 63, TCP, csum (not checked)
 *   c0 a8 01 0a cb 00 71 50                                 192.168.1.10 -> 203.0.113.80
 *   c9 3a 01 bb de ad be ef 01 02 03 04                     51514 -> 443, seq, ack
 *   81 d8 fa f0 00 00 00 00                                 doff 8 + NS, CWR|ECE|ACK|PSH, window 64240, csum, urg
 *   01 01 08 0a 00 00 00 01 00 00 00 02                     NOP NOP timestamps
 *   47 45 54 20                                             "GET "
 */
export const ETH_IPV4_TCP = hex(`
  00 1b 21 3a 4f 01 3c fd fe 9a 8b 02 08 00
  45 00 00 38 1c 46 40 00 3f 06 00 00 c0 a8 01 0a cb 00 71 50
  c9 3a 01 bb de ad be ef 01 02 03 04 81 d8 fa f0 00 00 00 00
  01 01 08 0a 00 00 00 01 00 00 00 02
  47 45 54 20`);

test('ethernet-ipv4-tcp-fills-every-field', () => {
  const p = expectDecode(1, ETH_IPV4_TCP, 'Ok');
  assertFlow(p, { v: 4, src: '192.168.1.10', dst: '203.0.113.80', proto: 6, sport: 51514, dport: 443 });
  assert.equal(p.linkType, 1);
  assert.equal(p.wireLen, 70);
  assert.equal(p.uncaptured, 0);
  assert.equal(p.vlanId, 0);
  assert.equal(p.tunnel, 0);
  assert.equal(p.depth, 0);
  assert.equal(p.ipOff, 14);
  assert.equal(p.ttl, 63);
  assert.equal(p.l4Off, 34);
  assert.equal(p.l4Len, 36);
  assert.equal(p.tcpFlags, 0x1d8);
  assert.equal(p.tcpSeq, 0xdeadbeef);
  assert.equal(p.tcpAck, 0x01020304);
  assert.equal(p.tcpWindow, 64240);
  assert.equal(p.tcpOptOff, 54);
  assert.equal(p.tcpOptLen, 12);
  assert.equal(p.payloadOff, 66);
  assert.equal(p.payloadLen, 4);
  assert.equal(payloadOf(p).toString('latin1'), 'GET ');
  assert.equal(p.fragment, false);
  assert.equal(p.reassembled, false);
  assert.equal(p.frames, 1);
  assert.equal(p.frameBytes, 70);
  assert.equal(p.malformed, 0);
});

test('ethernet-ipv4-tcp-truncated-at-every-offset', () => {
  const cuts: Array<[number, string, string]> = [];
  for (let c = 0; c < 14; c++) cuts.push([c, 'Malformed:link_truncated', 'Malformed:link_truncated']);
  for (let c = 14; c < 34; c++) cuts.push([c, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated']);
  for (let c = 34; c < 54; c++) cuts.push([c, 'Malformed:tcp_truncated', 'Malformed:ipv4_bad_total_length']);
  for (let c = 54; c < 70; c++) cuts.push([c, 'Ok', 'Malformed:ipv4_bad_total_length']);
  cuts.push([70, 'Ok', 'Ok']);
  sweepTruncation(1, ETH_IPV4_TCP, { cuts });
});

test('ethernet-ipv4-tcp-snap-cut-in-options-keeps-ports-and-empty-payload', () => {
  const p = expectDecode(1, ETH_IPV4_TCP, 'Ok', { caplen: 60, wireLen: 70 });
  assert.equal(p.uncaptured, 10);
  assert.equal(p.srcPort, 51514);
  assert.equal(p.tcpOptOff, 54);
  assert.equal(p.tcpOptLen, 6);
  assert.equal(p.payloadOff, 60);
  assert.equal(p.payloadLen, 0);
});

test('ethernet-frame-at-nonzero-offset-decodes-the-same', () => {
  const big = cat(seqBytes(37), ETH_IPV4_TCP, seqBytes(11));
  const d = new Decoder();
  assert.equal(d.decode(1, big, 37, ETH_IPV4_TCP.length, ETH_IPV4_TCP.length, 5), R.Ok);
  assert.equal(d.pkt.buf, big);
  assert.equal(d.pkt.ipOff, 37 + 14);
  assert.equal(d.pkt.payloadOff, 37 + 66);
  assert.equal(payloadOf(d.pkt).toString('latin1'), 'GET ');
  assert.equal(d.pkt.tsMs, 5);
});

test('ethernet-ipv6-udp', () => {
  const f = eth(0x86dd, inner6udp());
  const p = expectDecode(1, f, 'Ok');
  assertFlow(p, { v: 6, src: A.c6, dst: A.s6, proto: 17, sport: 40000, dport: 443 });
  assert.equal(p.ttl, 61);
  assert.equal(p.ipOff, 14);
  assert.equal(p.payloadOff, 14 + 40 + 8);
  assert.deepEqual(payloadOf(p), seqBytes(24));
  sweepTruncation(1, f, { cuts: [[13, 'Malformed:link_truncated', 'Malformed:link_truncated'], [53, 'Malformed:ipv6_truncated', 'Malformed:ipv6_truncated'], [61, 'Malformed:udp_truncated', 'Malformed:ipv6_bad_payload_length']] });
});

test('vlan-single-8021q-sets-vlan-id-and-ignores-priority-bits', () => {
  const f = eth(0x0800, inner4udp(), [{ id: 100, pcp: 5 }]);
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.vlanId, 100);
  assert.equal(p.ipOff, 18);
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 17, sport: 5353, dport: 53 });
});

test('vlan-stacked-qinq-keeps-outer-vlan-id', () => {
  const f = eth(0x0800, inner4udp(), [{ tpid: 0x88a8, id: 100 }, { id: 200 }]);
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.vlanId, 100);
  assert.equal(p.ipOff, 22);
  sweepTruncation(1, f, { cuts: [[17, 'Malformed:vlan_truncated', 'Malformed:vlan_truncated'], [21, 'Malformed:vlan_truncated', 'Malformed:vlan_truncated'], [22, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated']] });
});

test('vlan-0x9100-and-triple-tags-are-walked', () => {
  const p = expectDecode(1, eth(0x86dd, inner6udp(), [{ tpid: 0x9100, id: 7 }, { tpid: 0x88a8, id: 8 }, { id: 9 }]), 'Ok');
  assert.equal(p.vlanId, 7);
  assert.equal(p.ipOff, 26);
});

test('vlan-priority-tag-zero-reports-the-first-nonzero-id', () => {
  // An 802.1p priority tag (VLAN id 0) carries no VLAN; the next tag's id is kept.
  const p = expectDecode(1, eth(0x0800, inner4udp(), [{ id: 0, pcp: 6 }, { id: 200 }]), 'Ok');
  assert.equal(p.vlanId, 200);
});

test('vlan-eight-tags-decode-nine-are-link_bad_header', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
  assert.equal(expectDecode(1, eth(0x0800, inner4udp(), tags(8)), 'Ok').vlanId, 1);
  expectDecode(1, eth(0x0800, inner4udp(), tags(9)), 'Malformed:link_bad_header');
});

test('vlan-then-llc-snap-carries-ipv4', () => {
  // A tag whose type field is a length (< 0x0600) is followed by LLC.
  const f = eth(0x0800, inner4udp(), [{ id: 55 }]);
  const llc = snap(0x0800, inner4udp());
  const g = cat(f.subarray(0, 16), [llc.length >> 8, llc.length & 255], llc);
  const p = expectDecode(1, g, 'Ok');
  assert.equal(p.vlanId, 55);
  assert.equal(p.ipOff, 18 + 8);
});

test('ethernet-8023-snap-carries-ipv4', () => {
  const f = eth8023(snap(0x0800, inner4tcp()));
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.ipOff, 22);
  assertFlow(p, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  sweepTruncation(1, f, { cuts: [[16, 'NotIp', 'NotIp'], [17, 'Malformed:link_truncated', 'Malformed:link_truncated'], [21, 'Malformed:link_truncated', 'Malformed:link_truncated'], [22, 'Malformed:ipv4_truncated', 'Malformed:ipv4_truncated']] });
});

test('ethernet-8023-non-snap-llc-is-notip', () => {
  // Spanning tree BPDU: DSAP/SSAP 0x42, UI.
  const d = new Decoder();
  const f = eth8023(hex('42 42 03 00 00 00 00 00 80 00 00 1b 21 3a 4f 01 00 00 00 00 80 00 00 1b 21 3a 4f 01 80 01 00 00 14 00 02 00 0f 00'));
  assert.equal(outcome(d, decode(d, 1, f)), 'NotIp');
  assert.equal(d.nonIp, 1);
  assert.equal(d.malformedTotal(), 0);
});

test('ethernet-8023-snap-with-non-ip-pid-is-notip', () => {
  // Cisco CDP over SNAP (OUI 00 00 0c, PID 0x2000), as in capwap.pcap.
  expectDecode(1, eth8023(snap(0x2000, seqBytes(30), '00 00 0c')), 'NotIp');
});

test('ethernet-arp-is-notip-and-counted', () => {
  const d = new Decoder();
  const arp = eth(0x0806, hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101'));
  assert.equal(outcome(d, decode(d, 1, arp)), 'NotIp');
  assert.equal(outcome(d, decode(d, 1, eth(0x88cc, seqBytes(30)))), 'NotIp'); // LLDP
  assert.equal(outcome(d, decode(d, 1, eth(0x0806, '', [{ id: 4 }]))), 'NotIp'); // tagged ARP, empty body
  assert.equal(d.nonIp, 3);
});

test('ethernet-padding-after-a-short-ipv4-packet-is-not-payload', () => {
  // 60-byte minimum frame: IPv4 total length 32 (UDP with 4 bytes), then 14 bytes of padding.
  const ip = ipv4({ src: A.c4, dst: A.s4, proto: 17 }, udp(1234, 5678, 'de ad be ef'));
  const f = cat(eth(0x0800, ip), Buffer.alloc(60 - 14 - ip.length, 0xee));
  assert.equal(f.length, 60);
  const p = expectDecode(1, f, 'Ok');
  assert.equal(p.l4Len, 12);
  assert.equal(p.payloadLen, 4);
  assert.deepEqual(payloadOf(p), hex('de ad be ef'));
});

test('ethernet-runt-frame-is-link_truncated', () => {
  expectDecode(1, hex('00 1b 21 3a 4f 01 3c fd fe 9a 8b 02 08'), 'Malformed:link_truncated');
  expectDecode(1, Buffer.alloc(0), 'Malformed:link_truncated');
});

test('ethernet-ipv4-type-with-ipv6-inside-is-ipv4_bad_version', () => {
  expectDecode(1, eth(0x0800, inner6udp()), 'Malformed:ipv4_bad_version');
});
