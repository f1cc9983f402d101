/**
 * The exported flow record: every field of the schema present with its type
 * (icmp_type/icmp_code for ICMP flows only), L4 protocol names, the `-v 2`
 * text line format (IPv4, IPv6 in brackets, VLAN, tunnel, TCP flags, master
 * protocol, host), and tcpFlagsString.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpProto } from '../../src/decode/packet';
import { formatTextLine, l4Name, tcpFlagsString, type FlowRecord } from '../../src/flow/record';
import { Harness, SYN, SYN_ACK, ACK, T0 } from './helpers';

/** docs/schema.md: field name → JSON type, in the documented order (icmp_type/icmp_code, ICMP only, left out). */
const SCHEMA: [string, 'string' | 'number' | 'object'][] = [
  ['protocol', 'string'],
  ['src_addr', 'string'],
  ['src_port', 'number'],
  ['dst_addr', 'string'],
  ['dst_port', 'number'],
  ['master_protocol', 'number'],
  ['detected_protocol', 'number'],
  ['protocol_name', 'string'],
  ['category', 'string'],
  ['confidence', 'string'],
  ['out_pkts', 'number'],
  ['out_bytes', 'number'],
  ['in_pkts', 'number'],
  ['in_bytes', 'number'],
  ['first_switched', 'number'],
  ['last_switched', 'number'],
  ['flow_id', 'number'],
  ['record_seq', 'number'],
  ['ip_version', 'number'],
  ['ip_protocol', 'number'],
  ['vlan_id', 'number'],
  ['tunnel', 'string'],
  ['out_tcp_flags', 'number'],
  ['in_tcp_flags', 'number'],
  ['first_switched_ms', 'number'],
  ['last_switched_ms', 'number'],
  ['duration_ms', 'number'],
  ['flow_end_reason', 'string'],
  ['community_id', 'string'],
  ['server_name', 'string'],
  ['risks', 'object'],
];

function tcpRecord(): FlowRecord {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 443, proto: IpProto.Tcp, tcpFlags: SYN, ts: T0 + 0.5, bytes: 74, vlan: 7 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 40000, proto: IpProto.Tcp, tcpFlags: SYN_ACK, ts: T0 + 1500.25, bytes: 74, vlan: 7 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 443, proto: IpProto.Tcp, tcpFlags: ACK, ts: T0 + 2000.125, bytes: 66, vlan: 7 });
  return h.flush()[0];
}

test('a record has every schema field with its JSON type, and nothing else for TCP', () => {
  const r = tcpRecord();
  const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), SCHEMA.map(([k]) => k));
  for (const [k, type] of SCHEMA) assert.equal(typeof json[k], type, k);
  for (const [k, type] of SCHEMA) if (type === 'number') assert.ok(Number.isSafeInteger(json[k]), `${k} is an integer`);
  assert.deepEqual(
    { ...r, community_id: '' },
    {
      protocol: 'TCP',
      src_addr: '10.0.0.1',
      src_port: 40000,
      dst_addr: '10.0.0.2',
      dst_port: 443,
      master_protocol: 0,
      detected_protocol: 0,
      protocol_name: 'Unknown',
      category: 'Unspecified',
      confidence: 'unknown',
      out_pkts: 2,
      out_bytes: 140,
      in_pkts: 1,
      in_bytes: 74,
      first_switched: Math.floor(T0 / 1000),
      last_switched: Math.floor((T0 + 2000.125) / 1000),
      flow_id: 1,
      record_seq: 0,
      ip_version: 4,
      ip_protocol: 6,
      vlan_id: 7,
      tunnel: '',
      out_tcp_flags: SYN | ACK,
      in_tcp_flags: SYN_ACK,
      first_switched_ms: T0,
      last_switched_ms: T0 + 2000,
      duration_ms: 2000,
      flow_end_reason: 'end_of_input',
      community_id: '',
      server_name: '',
      risks: [],
    },
  );
  assert.match(r.community_id, /^1:[A-Za-z0-9+/]{27}=$/);
});

test('times: seconds and milliseconds since the epoch, both whole (floored); duration is their difference', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, ts: T0 + 999.9997 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, ts: T0 + 1000.0012 });
  const [r] = h.flush();
  assert.equal(r.first_switched, Math.floor(T0 / 1000));
  assert.equal(r.last_switched, Math.floor(T0 / 1000) + 1);
  assert.equal(r.first_switched_ms, T0 + 999);
  assert.equal(r.last_switched_ms, T0 + 1000);
  assert.equal(r.duration_ms, r.last_switched_ms - r.first_switched_ms);
});

test('ICMP and ICMPv6 records add icmp_type and icmp_code (numbers); others do not have them', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Icmp, icmpType: 3, icmpCode: 1, ts: T0 });
  h.send({ src: '2001:db8::1', dst: '2001:db8::2', proto: IpProto.Icmpv6, icmpType: 135, ts: T0 + 1 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, ts: T0 + 2 });
  const [icmp, icmp6, udp] = h.flush().map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
  assert.deepEqual([icmp.protocol, icmp.icmp_type, icmp.icmp_code], ['ICMP', 3, 1]);
  assert.deepEqual([icmp6.protocol, icmp6.icmp_type, icmp6.icmp_code, icmp6.ip_version], ['ICMPV6', 135, 0, 6]);
  for (const k of SCHEMA.map(([k]) => k)) {
    assert.ok(k in icmp, `ICMP record has ${k}`);
    assert.equal(typeof icmp[k], typeof udp[k], k);
  }
  assert.ok(!('icmp_type' in udp) && !('icmp_code' in udp));
});

test('ICMP records write icmp_type/icmp_code in their documented place (after in_tcp_flags)', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Icmp, icmpType: 8, ts: T0 });
  const [r] = h.flush();
  const keys = Object.keys(JSON.parse(JSON.stringify(r)) as object);
  const at = SCHEMA.findIndex(([k]) => k === 'in_tcp_flags') + 1;
  const documented = SCHEMA.map(([k]) => k as string);
  documented.splice(at, 0, 'icmp_type', 'icmp_code');
  assert.deepEqual(keys, documented);
});

test('flow_end_reason takes the documented names', () => {
  const h = new Harness({ maxFlows: 16, timeouts: { active: 10 } });
  for (let i = 0; i < 17; i++) h.send({ src: '10.0.0.1', dst: `10.0.3.${i}`, sport: 1, dport: 2, ts: T0 + i });
  h.expire(T0 + 10_005);
  h.send({ src: '10.0.0.1', dst: '10.0.3.16', sport: 1, dport: 2, ts: T0 + 10_006 });
  h.expire(T0 + 80_000);
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, ts: T0 + 80_001 });
  h.flush();
  const names = new Set(h.records.map((r) => r.flow_end_reason));
  assert.deepEqual([...names].sort(), ['active', 'end_of_input', 'evicted', 'idle']);
});

test('L4 protocol names as nDPI prints them; other numbers as strings', () => {
  const names: [number, string][] = [
    [1, 'ICMP'], [2, 'IGMP'], [6, 'TCP'], [17, 'UDP'], [47, 'GRE'], [50, 'ESP'], [51, 'AH'],
    [58, 'ICMPV6'], [89, 'OSPF'], [103, 'PIM'], [112, 'VRRP'], [113, 'PGM'], [132, 'SCTP'],
    [0, '0'], [4, '4'], [41, '41'], [136, '136'], [255, '255'],
  ];
  for (const [n, name] of names) assert.equal(l4Name(n), name, String(n));
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: 112, ts: T0 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: 137, ts: T0 });
  assert.deepEqual(h.flush().map((r) => [r.protocol, r.ip_protocol]), [['VRRP', 112], ['137', 137]]);
});

test('tcpFlagsString prints F S R P A U E C in bit order, nothing for no flags', () => {
  assert.equal(tcpFlagsString(0), '');
  assert.equal(tcpFlagsString(0x02), 'S');
  assert.equal(tcpFlagsString(0x12), 'SA');
  assert.equal(tcpFlagsString(0x11), 'FA');
  assert.equal(tcpFlagsString(0x1f), 'FSRPA');
  assert.equal(tcpFlagsString(0xff), 'FSRPAUEC');
  assert.equal(tcpFlagsString(0x1ff), 'FSRPAUEC', 'NS (0x100) is not printed');
  assert.equal(tcpFlagsString(0xc0), 'EC');
});

function base(over: Partial<FlowRecord>): FlowRecord {
  return {
    protocol: 'UDP', src_addr: '10.0.0.1', src_port: 1234, dst_addr: '8.8.8.8', dst_port: 53,
    master_protocol: 0, detected_protocol: 0, protocol_name: 'Unknown', category: 'Unspecified', confidence: 'unknown',
    out_pkts: 1, out_bytes: 74, in_pkts: 2, in_bytes: 300,
    first_switched: 0, last_switched: 0, server_name: '', risks: [], flow_id: 1, record_seq: 0,
    ip_version: 4, ip_protocol: 17, vlan_id: 0, tunnel: '', out_tcp_flags: 0, in_tcp_flags: 0,
    first_switched_ms: 0, last_switched_ms: 12.3456, duration_ms: 12.3456,
    flow_end_reason: 'idle', community_id: '1:x',
    ...over,
  };
}

test('-v 2 text line: IPv4 UDP', () => {
  assert.equal(
    formatTextLine(base({}), 1),
    '\t1\tUDP 10.0.0.1:1234 <-> 8.8.8.8:53[proto: 0/Unknown][1 pkts/74 bytes <-> 2 pkts/300 bytes][0.012 s][end: idle]',
  );
});

test('-v 2 text line: IPv6 in brackets, VLAN, tunnel, TCP flags, master protocol and host', () => {
  const r = base({
    protocol: 'TCP', ip_protocol: 6, ip_version: 6, src_addr: '2001:db8::1', src_port: 50000, dst_addr: '2001:db8::2', dst_port: 443,
    vlan_id: 100, tunnel: 'GTP', master_protocol: 91, detected_protocol: 126, protocol_name: 'TLS.Google',
    out_tcp_flags: 0x1b, in_tcp_flags: 0, duration_ms: 61_234.5678, flow_end_reason: 'fin', server_name: 'www.google.com',
  });
  assert.equal(
    formatTextLine(r, 42),
    '\t42\tTCP [2001:db8::1]:50000 <-> [2001:db8::2]:443[VLAN: 100][GTP][proto: 91.126/TLS.Google]' +
      '[1 pkts/74 bytes <-> 2 pkts/300 bytes][flags: FSPA <-> -][61.235 s][end: fin][Host: www.google.com]',
  );
});

test('-v 2 text line from a table record', () => {
  const line = formatTextLine(tcpRecord(), 3);
  // duration 2000 ms
  assert.equal(line, '\t3\tTCP 10.0.0.1:40000 <-> 10.0.0.2:443[VLAN: 7][proto: 0/Unknown][2 pkts/140 bytes <-> 1 pkts/74 bytes][flags: SA <-> SA][2.000 s][end: end_of_input]');
});
