import { FlowTable } from '../../src/flow/table';
/**
 * Flow expiry: the documented default timeouts per class (expiry.ts) and
 * custom ones, the end reasons (idle, fin, rst, active, end_of_input,
 * evicted), interim records of the active timeout (deltas summing to the
 * totals, one flow_id, increasing record_seq, no empty record after an
 * interim), port reuse after a closed connection, the maxFlows cap, and the
 * order flushAll writes in.
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { IpProto } from '../../src/decode/packet';
import { DEFAULT_TIMEOUTS, END_REASON_NAMES, EndReason } from '../../src/flow/expiry';
import type { FlowRecord } from '../../src/flow/record';
import { ACK, FIN_ACK, Harness, PktSpec, PSH_ACK, RST, RST_ACK, SYN, SYN_ACK, T0 } from './helpers';

const C = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };
const tcpC = (ts: number, tcpFlags: number): PktSpec => ({ ...C, proto: IpProto.Tcp, tcpFlags, ts });
const tcpS = (ts: number, tcpFlags: number): PktSpec => ({ ...S, proto: IpProto.Tcp, tcpFlags, ts });

/** Opens a TCP connection (SYN, SYN-ACK, ACK) from t. */
function handshake(h: Harness, t: number): void {
  h.send(tcpC(t, SYN));
  h.send(tcpS(t + 1, SYN_ACK));
  h.send(tcpC(t + 2, ACK));
}

/**
 * Asserts the live flow ends with `reason` between `aliveAt` (still live)
 * and `deadAt` (ended), both absolute times.
 */
function assertExpires(h: Harness, aliveAt: number, deadAt: number, reason: string): FlowRecord {
  assert.deepEqual(h.expire(aliveAt), [], `still live at +${aliveAt - T0} ms`);
  assert.equal(h.table.count, 1);
  const out = h.expire(deadAt);
  assert.equal(out.length, 1, `ended by +${deadAt - T0} ms`);
  assert.equal(out[0].flow_end_reason, reason);
  assert.equal(h.table.count, 0);
  return out[0];
}

test('documented defaults: tcp-opening 20 s, tcp 120 s, tcp-closed 5 s, udp 60 s, icmp 30 s, other 60 s, active 300 s', () => {
  assert.deepEqual({ ...DEFAULT_TIMEOUTS }, { tcpOpening: 20, tcp: 120, tcpClosed: 5, udp: 60, icmp: 30, other: 60, active: 300 });
  assert.deepEqual([...END_REASON_NAMES], ['idle', 'active', 'fin', 'rst', 'end_of_input', 'evicted']);
  const h = new Harness();
  assert.deepEqual({ ...h.table.timeouts }, { ...DEFAULT_TIMEOUTS });
});

test('UDP ends idle after 60 s without packets (default)', () => {
  const h = new Harness();
  h.send({ ...C, ts: T0 });
  h.send({ ...S, ts: T0 + 10_000 });
  assertExpires(h, T0 + 10_000 + 59_900, T0 + 10_000 + 60_100, 'idle');
});

test('a TCP SYN left unanswered ends idle after 20 s (default)', () => {
  const h = new Harness();
  h.send(tcpC(T0, SYN));
  h.send(tcpC(T0 + 3000, SYN));
  assertExpires(h, T0 + 3000 + 19_900, T0 + 3000 + 20_100, 'idle');
});

test('TCP seen one way only (no SYN) is also in the 20 s opening class', () => {
  const h = new Harness();
  h.send(tcpC(T0, PSH_ACK));
  assertExpires(h, T0 + 19_900, T0 + 20_100, 'idle');
});

test('a SYN answered by RST closes in 5 s with reason rst (default)', () => {
  const h = new Harness();
  h.send(tcpC(T0, SYN));
  h.send(tcpS(T0 + 1, RST_ACK));
  const r = assertExpires(h, T0 + 1 + 4_900, T0 + 1 + 5_100, 'rst');
  assert.deepEqual([r.out_pkts, r.in_pkts, r.in_tcp_flags], [1, 1, RST_ACK]);
});

test('FIN in both directions closes in 5 s with reason fin (default)', () => {
  const h = new Harness();
  handshake(h, T0);
  h.send(tcpC(T0 + 100, FIN_ACK));
  h.send(tcpS(T0 + 101, FIN_ACK));
  h.send(tcpC(T0 + 102, ACK));
  const r = assertExpires(h, T0 + 102 + 4_900, T0 + 102 + 5_100, 'fin');
  assert.deepEqual([r.out_pkts, r.in_pkts], [4, 2]);
});

test('a FIN from one side only does not close the flow: it stays established (120 s)', () => {
  const h = new Harness();
  handshake(h, T0);
  h.send(tcpC(T0 + 100, FIN_ACK));
  assertExpires(h, T0 + 100 + 119_000, T0 + 100 + 120_100, 'idle');
});

test('established TCP ends idle after 120 s (default)', () => {
  const h = new Harness();
  handshake(h, T0);
  h.send(tcpS(T0 + 50_000, PSH_ACK));
  assertExpires(h, T0 + 50_000 + 119_900, T0 + 50_000 + 120_100, 'idle');
});

test('ICMP and ICMPv6 end idle after 30 s; other protocols after 60 s (default)', () => {
  for (const [spec, alive, dead] of [
    [{ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Icmp, icmpType: 8 }, 29_900, 30_100],
    [{ src: '2001:db8::1', dst: '2001:db8::2', proto: IpProto.Icmpv6, icmpType: 128 }, 29_900, 30_100],
    [{ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Gre }, 59_900, 60_100],
    [{ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Esp }, 59_900, 60_100],
  ] as const) {
    const h = new Harness();
    h.send({ ...spec, ts: T0 });
    assertExpires(h, T0 + alive, T0 + dead, 'idle');
  }
});

test('custom timeouts replace the defaults per class', () => {
  const timeouts = { udp: 7, tcpOpening: 3, tcp: 11, tcpClosed: 2, icmp: 4, other: 9 };
  const cases: [string, (h: Harness) => void, number, string][] = [
    ['udp', (h) => h.send({ ...C, ts: T0 }), 7, 'idle'],
    ['tcp-opening', (h) => h.send(tcpC(T0, SYN)), 3, 'idle'],
    ['tcp', (h) => handshake(h, T0 - 2), 11, 'idle'],
    ['tcp-closed (rst)', (h) => { h.send(tcpC(T0 - 1, SYN)); h.send(tcpS(T0, RST)); }, 2, 'rst'],
    ['tcp-closed (fin)', (h) => { handshake(h, T0 - 4); h.send(tcpC(T0 - 1, FIN_ACK)); h.send(tcpS(T0, FIN_ACK)); }, 2, 'fin'],
    ['icmp', (h) => h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Icmp, ts: T0 }), 4, 'idle'],
    ['other', (h) => h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: 132, ts: T0 }), 9, 'idle'],
  ];
  for (const [name, open, seconds, reason] of cases) {
    const h = new Harness({ timeouts });
    open(h);
    assert.equal(h.table.count, 1, name);
    assertExpires(h, T0 + seconds * 1000 - 100, T0 + seconds * 1000 + 100, reason);
  }
});

test('flows of different classes expire independently at one expire() call', () => {
  const h = new Harness();
  h.send({ ...C, ts: T0 }); // UDP, 60 s
  h.send(tcpC(T0, SYN)); // opening, 20 s
  h.send({ src: '10.0.0.1', dst: '10.0.0.3', proto: IpProto.Icmp, ts: T0 }); // 30 s
  assert.deepEqual(h.expire(T0 + 25_000).map((r) => r.protocol), ['TCP']);
  assert.deepEqual(h.expire(T0 + 35_000).map((r) => r.protocol), ['ICMP']);
  assert.deepEqual(h.expire(T0 + 65_000).map((r) => r.protocol), ['UDP']);
  assert.equal(h.table.count, 0);
});

test('a packet keeps its flow alive: idle time counts from the last packet', () => {
  const h = new Harness({ timeouts: { active: 100_000 } });
  for (let t = 0; t <= 300_000; t += 50_000) {
    h.send({ ...C, ts: T0 + t });
    assert.deepEqual(h.expire(T0 + t + 1), []);
  }
  assert.equal(h.table.count, 1);
});

test('flushAll ends live flows as end_of_input, or fin/rst when they were closed', () => {
  const h = new Harness();
  h.send({ ...C, ts: T0 });
  h.send({ ...C, dport: 81, proto: IpProto.Tcp, tcpFlags: SYN, ts: T0 + 1 });
  h.send({ ...S, sport: 81, proto: IpProto.Tcp, tcpFlags: RST_ACK, ts: T0 + 2 });
  h.send({ ...C, dport: 82, proto: IpProto.Tcp, tcpFlags: FIN_ACK, ts: T0 + 3 });
  h.send({ ...S, sport: 82, proto: IpProto.Tcp, tcpFlags: FIN_ACK, ts: T0 + 4 });
  assert.deepEqual(h.flush().map((r) => r.flow_end_reason), ['end_of_input', 'rst', 'fin']);
  assert.equal(h.table.ended[EndReason.Forced], 1);
  assert.equal(h.table.ended[EndReason.Rst], 1);
  assert.equal(h.table.ended[EndReason.Fin], 1);
});

test('active timeout: interim records are deltas that sum to the totals, with one flow_id and increasing record_seq', () => {
  const h = new Harness({ timeouts: { active: 100 } });
  let out = 0;
  let inn = 0;
  let outBytes = 0;
  // A packet each way every 10 s for 350 s; expiry once a second, as the probe runs it.
  let next = 0;
  for (let t = 0; t <= 350_000; t += 500) {
    if (t % 10_000 === 0) {
      h.send({ ...C, ts: T0 + t, bytes: 100 + t / 1000 });
      h.send({ ...S, ts: T0 + t + 5, bytes: 1000 });
      out++;
      inn++;
      outBytes += 100 + t / 1000;
    }
    if (t >= next) {
      h.expire(T0 + t);
      next = t + 1000;
    }
  }
  h.flush();
  const recs = h.records;
  assert.deepEqual(recs.map((r) => r.flow_end_reason), ['active', 'active', 'active', 'end_of_input']);
  assert.deepEqual(recs.map((r) => r.record_seq), [0, 1, 2, 3]);
  assert.ok(recs.every((r) => r.flow_id === recs[0].flow_id));
  assert.equal(recs.reduce((a, r) => a + r.out_pkts, 0), out);
  assert.equal(recs.reduce((a, r) => a + r.in_pkts, 0), inn);
  assert.equal(recs.reduce((a, r) => a + r.out_bytes, 0), outBytes);
  assert.equal(recs.reduce((a, r) => a + r.in_bytes, 0), inn * 1000);
  // Each record covers its own stretch of time, in order.
  for (let i = 1; i < recs.length; i++) {
    assert.ok(recs[i].first_switched_ms > recs[i - 1].last_switched_ms, `record ${i} starts after record ${i - 1} ends`);
  }
  assert.equal(recs[0].first_switched_ms, T0);
  assert.equal(recs[3].last_switched_ms, T0 + 350_005);
  assert.equal(h.table.ended[EndReason.Active], 3);
});

test('interim records carry only the TCP flags seen since the previous record', () => {
  const h = new Harness({ timeouts: { active: 60 } });
  handshake(h, T0);
  h.send(tcpC(T0 + 30_000, PSH_ACK));
  h.expire(T0 + 60_000);
  h.send(tcpS(T0 + 61_000, ACK));
  h.send(tcpC(T0 + 62_000, FIN_ACK));
  const [first] = h.records;
  const [last] = h.flush();
  assert.equal(first.flow_end_reason, 'active');
  assert.equal(first.out_tcp_flags, SYN | ACK | PSH_ACK);
  assert.equal(first.in_tcp_flags, SYN_ACK);
  assert.deepEqual([last.out_pkts, last.in_pkts, last.out_tcp_flags, last.in_tcp_flags], [1, 1, FIN_ACK, ACK]);
  assert.equal(last.first_switched_ms, T0 + 61_000);
  assert.equal(last.record_seq, 1);
});

test('no empty record after an interim one when no packet followed', () => {
  const h = new Harness({ timeouts: { active: 100 } });
  h.send({ ...C, ts: T0 });
  h.send({ ...C, ts: T0 + 50_000 });
  assert.deepEqual(h.expire(T0 + 100_000).map((r) => r.flow_end_reason), ['active']);
  assert.deepEqual(h.expire(T0 + 200_000), [], 'idle end of a flow with nothing since its interim record');
  assert.equal(h.table.count, 0);
  assert.deepEqual(h.flush(), []);

  const h2 = new Harness({ timeouts: { active: 100 } });
  h2.send({ ...C, ts: T0 });
  h2.expire(T0 + 100_000);
  assert.deepEqual(h2.flush(), [], 'flushAll right after an interim record');
  assert.equal(h2.records.length, 1);
});

test('established TCP keeps the 120 s idle timeout after an interim record', () => {
  const h = new Harness({ timeouts: { active: 100 } });
  handshake(h, T0);
  h.expire(T0 + 100_000); // interim
  h.send(tcpC(T0 + 101_000, ACK)); // one keep-alive from the client
  assert.deepEqual(h.expire(T0 + 101_000 + 30_000), [], 'established flow idle 30 s must not end');
  assert.equal(h.table.count, 1);
});

test('port reuse: a new SYN after RST starts a new flow with a new flow_id', () => {
  const h = new Harness();
  h.send(tcpC(T0, SYN));
  h.send(tcpS(T0 + 1, RST_ACK));
  h.send(tcpC(T0 + 1000, SYN)); // within the 5 s closed timeout
  h.send(tcpS(T0 + 1001, SYN_ACK));
  assert.equal(h.records.length, 1);
  assert.deepEqual([h.records[0].flow_end_reason, h.records[0].flow_id, h.records[0].out_pkts, h.records[0].in_pkts], ['rst', 1, 1, 1]);
  const [r] = h.flush();
  assert.deepEqual([r.flow_id, r.record_seq, r.out_pkts, r.in_pkts, r.flow_end_reason], [2, 0, 1, 1, 'end_of_input']);
  assert.equal(h.table.created, 2);
});

test('port reuse: a new SYN after FIN both ways starts a new flow; its sender is the new client', () => {
  const h = new Harness();
  handshake(h, T0);
  h.send(tcpC(T0 + 10, FIN_ACK));
  h.send(tcpS(T0 + 11, FIN_ACK));
  // The old server opens a connection back on the same ports.
  h.send({ ...S, proto: IpProto.Tcp, tcpFlags: SYN, ts: T0 + 2000 });
  assert.deepEqual(h.records.map((r) => [r.flow_id, r.flow_end_reason]), [[1, 'fin']]);
  const [r] = h.flush();
  assert.deepEqual([r.flow_id, r.src_addr, r.src_port, r.out_pkts, r.in_pkts], [2, '10.0.0.2', 80, 1, 0]);
});

test('port reuse after the closed flow expired also gets a new flow_id', () => {
  const h = new Harness();
  h.send(tcpC(T0, SYN));
  h.send(tcpS(T0 + 1, RST_ACK));
  h.expire(T0 + 10_000);
  h.send(tcpC(T0 + 20_000, SYN));
  assert.deepEqual(h.flush().map((r) => r.flow_id), [2]);
  assert.deepEqual(h.records.map((r) => r.flow_end_reason), ['rst', 'end_of_input']);
});

test('a retransmitted SYN on an open connection stays on the same flow', () => {
  const h = new Harness();
  h.send(tcpC(T0, SYN));
  h.send(tcpC(T0 + 1000, SYN));
  h.send(tcpS(T0 + 1001, SYN_ACK));
  assert.equal(h.table.created, 1);
  assert.deepEqual(h.flush().map((r) => [r.out_pkts, r.in_pkts]), [[2, 1]]);
});

test('at maxFlows the least recently active flow is evicted, and counted', () => {
  const h = new Harness({ maxFlows: 16 });
  for (let i = 0; i < 16; i++) h.send({ src: '10.0.0.1', dst: `10.0.1.${i}`, sport: 1000, dport: 53, ts: T0 + i });
  h.send({ src: '10.0.1.0', dst: '10.0.0.1', sport: 53, dport: 1000, ts: T0 + 100 }); // flow 0 active again
  assert.equal(h.records.length, 0);
  h.send({ src: '10.0.0.1', dst: '10.0.9.9', sport: 1000, dport: 53, ts: T0 + 200 });
  assert.equal(h.table.count, 16);
  assert.deepEqual(h.records.map((r) => [r.dst_addr, r.flow_end_reason]), [['10.0.1.1', 'evicted']]);
  assert.equal(h.table.ended[EndReason.Evicted], 1);
  h.send({ src: '10.0.0.1', dst: '10.0.9.10', sport: 1000, dport: 53, ts: T0 + 300 });
  assert.deepEqual(h.records.map((r) => r.dst_addr), ['10.0.1.1', '10.0.1.2']);
  assert.equal(h.table.ended[EndReason.Evicted], 2);
  // The evicted flow comes back as a new flow.
  h.send({ src: '10.0.0.1', dst: '10.0.1.1', sport: 1000, dport: 53, ts: T0 + 400 });
  assert.equal(h.table.created, 19);
  const rest = h.flush();
  assert.equal(rest.length, 16);
  assert.ok(rest.some((r) => r.dst_addr === '10.0.1.0' && r.out_pkts === 1 && r.in_pkts === 1));
});

test('eviction picks the least recently active flow across timeout classes', () => {
  const h = new Harness({ maxFlows: 16 });
  h.send(tcpC(T0, SYN)); // TCP opening, oldest
  for (let i = 1; i < 16; i++) h.send({ src: '10.0.0.1', dst: `10.0.1.${i}`, sport: 1000, dport: 53, ts: T0 + i });
  h.send(tcpS(T0 + 50, SYN_ACK)); // the TCP flow becomes the most recent
  h.send({ src: '10.0.0.1', dst: '10.0.9.9', sport: 1000, dport: 53, ts: T0 + 60 });
  assert.deepEqual(h.records.map((r) => [r.protocol, r.dst_addr, r.flow_end_reason]), [['UDP', '10.0.1.1', 'evicted']]);
});

test('flushAll writes in record-start order (flow creation, then interim restarts)', () => {
  const h = new Harness({ timeouts: { active: 60 } });
  const flow = (i: number, ts: number) => h.send({ src: '10.0.0.1', dst: `10.0.2.${i}`, sport: 1, dport: 2, ts });
  flow(3, T0);
  flow(1, T0 + 10_000);
  flow(2, T0 + 20_000);
  flow(3, T0 + 30_000); // activity does not change the order
  flow(1, T0 + 40_000);
  h.expire(T0 + 50_000);
  assert.deepEqual(h.flush().map((r) => r.dst_addr), ['10.0.2.3', '10.0.2.1', '10.0.2.2']);

  const h2 = new Harness({ timeouts: { active: 60, udp: 600 } });
  const flow2 = (i: number, ts: number) => h2.send({ src: '10.0.0.1', dst: `10.0.2.${i}`, sport: 1, dport: 2, ts });
  flow2(1, T0);
  flow2(2, T0 + 10_000);
  flow2(3, T0 + 20_000);
  h2.expire(T0 + 60_000); // flow 1's record restarts at +60 s, after 2 and 3
  flow2(1, T0 + 61_000);
  flow2(2, T0 + 62_000);
  assert.deepEqual(h2.records.map((r) => [r.dst_addr, r.flow_end_reason]), [['10.0.2.1', 'active']]);
  assert.deepEqual(h2.flush().map((r) => r.dst_addr), ['10.0.2.2', '10.0.2.3', '10.0.2.1']);
});

test('invalid timeouts and table sizes are refused at construction (an active timeout of 0 would never end)', () => {
  const sink = { flowEnded() {} };
  assert.throws(() => new FlowTable(sink, { timeouts: { active: 0 } }), RangeError);
  assert.throws(() => new FlowTable(sink, { timeouts: { udp: -1 } }), RangeError);
  assert.throws(() => new FlowTable(sink, { timeouts: { tcp: Number.NaN } }), RangeError);
  assert.throws(() => new FlowTable(sink, { maxFlows: Number.NaN }), RangeError);
  assert.throws(() => new FlowTable(sink, { maxFlows: 8 }), RangeError);
});
