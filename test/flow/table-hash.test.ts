/**
 * The flow table's open-addressing hash: growth beyond the initial 16,384
 * slots keeps every flow findable; backward-shift deletion keeps colliding
 * keys findable (keys chosen to share home buckets, including a cluster that
 * wraps around the end of the bucket array); and a randomized run of
 * inserts, packets, expiries and evictions on a small table checked step by
 * step against a Map-based model. Randomized tests use fixed seeds (printed
 * in the failure message) so a failure can be replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpProto } from '../../src/decode/packet';
import { EndReason } from '../../src/flow/expiry';
import { flowHash, sourceIsA } from '../../src/flow/key';
import { FlowSink, FlowTable } from '../../src/flow/table';
import { DecodedPacket } from '../../src/decode/packet';
import { Harness, rng, T0, v4Word } from './helpers';

/** A sink that keeps only what the growth test needs, without building records. */
class Tally implements FlowSink {
  records = 0;
  pkts = 0;
  bad = 0;
  flowEnded(t: FlowTable, f: number, reason: EndReason): void {
    this.records++;
    this.pkts += t.pkts[f << 1] + t.pkts[(f << 1) | 1];
    if (reason !== EndReason.Forced || t.pkts[f << 1] !== 1 || t.pkts[(f << 1) | 1] !== 1) this.bad++;
  }
}

test('growth beyond the initial 16,384 slots keeps every one of 100,000 flows findable', () => {
  const sink = new Tally();
  const t = new FlowTable(sink);
  assert.equal(t.capacity, 16384);
  const p = new DecodedPacket();
  const N = 100_000;
  const fill = (i: number, reply: boolean, ts: number) => {
    p.reset();
    p.ipVersion = 4;
    p.proto = IpProto.Udp;
    p.frameBytes = 60;
    p.tsMs = ts;
    const client = (0x0a000000 + i) | 0;
    const server = 0xc0a80001 | 0;
    p.addr[0] = reply ? server : client;
    p.addr[4] = reply ? client : server;
    p.srcPort = reply ? 53 : 1024 + (i % 50_000);
    p.dstPort = reply ? 1024 + (i % 50_000) : 53;
  };
  const slots = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    fill(i, false, T0 + i / 100);
    slots[i] = t.update(p, p.tsMs);
  }
  assert.equal(t.count, N);
  assert.equal(t.created, N);
  assert.ok(t.capacity >= N, `capacity ${t.capacity}`);
  // One more packet each, in the other direction, must find the existing flow.
  let mismatched = 0;
  for (let i = 0; i < N; i++) {
    fill(i, true, T0 + 1000 + i / 100);
    if (t.update(p, p.tsMs) !== slots[i] || t.lastDirection !== 1) mismatched++;
  }
  assert.equal(mismatched, 0);
  assert.equal(t.count, N);
  assert.equal(t.created, N);
  t.flushAll();
  assert.equal(sink.records, N);
  assert.equal(sink.pkts, 2 * N);
  assert.equal(sink.bad, 0);
  assert.equal(t.count, 0);
});

interface Key {
  src: string;
  sport: number;
}

/** Home bucket of a UDP key (src:sport → 10.9.9.9:53) in table t, computed as the table does. */
function homeOf(t: FlowTable, k: Key): number {
  const internals = t as unknown as { seed: number; mask: number };
  const addr = new Int32Array(8);
  addr[0] = v4Word(k.src);
  addr[4] = v4Word('10.9.9.9');
  const fromA = sourceIsA(4, addr, k.sport, 53);
  const ports = fromA ? (k.sport << 16) | 53 : (53 << 16) | k.sport;
  const meta = IpProto.Udp | (4 << 8);
  const h = fromA ? flowHash(4, addr, 0, 4, ports, meta, internals.seed) : flowHash(4, addr, 4, 0, ports, meta, internals.seed);
  return h & internals.mask;
}

/** Keys whose home buckets are `homes` (each listed home used once per occurrence). */
function collidingKeys(t: FlowTable, homes: number[]): Key[] {
  const want = new Map<number, number>();
  for (const h of homes) want.set(h, (want.get(h) ?? 0) + 1);
  const out: Key[] = [];
  for (let i = 0; out.length < homes.length; i++) {
    if (i > 10_000_000) throw new Error('could not find colliding keys');
    const k = { src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, sport: 1000 + (i % 7) };
    const h = homeOf(t, k);
    const n = want.get(h) ?? 0;
    if (n > 0) {
      want.set(h, n - 1);
      out.push(k);
    }
  }
  return out;
}

function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

test('backward-shift deletion keeps colliding keys findable (clusters, wrap-around)', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rand = rng(seed);
    const h = new Harness({ maxFlows: 64, timeouts: { active: 1_000_000 } });
    const mask = (h.table as unknown as { mask: number }).mask;
    assert.equal(mask, 127);
    // Ten keys at home mask-2, four each at mask-1 and mask (the cluster wraps), four at 0 and 1, and a few at 40.
    const homes = [
      ...new Array<number>(10).fill(mask - 2),
      ...new Array<number>(4).fill(mask - 1),
      ...new Array<number>(4).fill(mask),
      ...new Array<number>(4).fill(0),
      ...new Array<number>(4).fill(1),
      ...new Array<number>(5).fill(40),
    ];
    const keys = shuffle(collidingKeys(h.table, homes), rand);
    let now = T0;
    const sent = new Map<Key, number>();
    for (const k of keys) {
      h.send({ src: k.src, dst: '10.9.9.9', sport: k.sport, dport: 53, ts: (now += 1) });
      sent.set(k, 1);
    }
    assert.equal(h.table.count, keys.length);
    const live = [...keys];
    while (live.length > 0) {
      // Every live key is found again (no new flow), in a random order ...
      shuffle(live, rand);
      const roundStart = now + 1;
      for (const k of live) {
        h.send({ src: '10.9.9.9', dst: k.src, sport: 53, dport: k.sport, ts: (now += 1) });
        sent.set(k, (sent.get(k) ?? 0) + 1);
      }
      assert.equal(h.table.created, keys.length, `seed ${seed}: a live key was not found`);
      assert.equal(h.table.count, live.length);
      // ... and the first one touched this round is deleted (idle expiry).
      const before = h.records.length;
      now = roundStart + 60_000;
      h.table.expire(now);
      assert.equal(h.records.length, before + 1, `seed ${seed}`);
      const r = h.records[before];
      const gone = live.shift() as Key;
      assert.deepEqual([r.src_addr, r.src_port, r.out_pkts + r.in_pkts], [gone.src, gone.sport, sent.get(gone)], `seed ${seed}`);
    }
    assert.equal(h.table.count, 0);
  }
});

/** A key of the randomized test: two endpoints (either may send first). */
interface RKey {
  id: number;
  a: string;
  b: string;
  pa: number;
  pb: number;
}

interface ModelFlow {
  key: RKey;
  /** true when a is the client. */
  aIsClient: boolean;
  out: number;
  inn: number;
  outBytes: number;
  inBytes: number;
  touch: number;
  seq: number;
}

test('randomized inserts, packets, expiries and evictions on a small table match a Map-based model', () => {
  const MAX = 64;
  const UDP_MS = 60_000;
  for (const seed of [7, 42, 1234, 99_991, 31_337, 2_024]) {
    const rand = rng(seed);
    const keys: RKey[] = [];
    for (let i = 0; i < 400; i++) {
      const v6 = rand() < 0.3;
      const a = v6 ? `2001:db8::${(i + 1).toString(16)}` : `10.${i >> 8}.${i & 255}.1`;
      const b = v6 ? `2001:db8:1::${(1 + Math.floor(rand() * 3)).toString(16)}` : `192.168.0.${1 + Math.floor(rand() * 3)}`;
      keys.push({ id: i, a, b, pa: 1024 + Math.floor(rand() * 4), pb: 53 + Math.floor(rand() * 2) });
    }
    const h = new Harness({ maxFlows: MAX, timeouts: { udp: UDP_MS / 1000, active: 1_000_000 } });
    const model = new Map<number, ModelFlow>(); // iteration order = least recently touched first
    const expected: string[] = [];
    let seq = 0;
    let now = T0;
    const end = (m: ModelFlow, reason: string) => {
      const [c, cp, s, sp] = m.aIsClient ? [m.key.a, m.key.pa, m.key.b, m.key.pb] : [m.key.b, m.key.pb, m.key.a, m.key.pa];
      expected.push(`${c}:${cp}>${s}:${sp} ${m.out}/${m.outBytes} ${m.inn}/${m.inBytes} ${reason}`);
      model.delete(m.key.id);
    };
    for (let step = 0; step < 6000; step++) {
      now += Math.floor(rand() * 1500);
      if (rand() < 0.08) {
        h.table.expire(now);
        for (const m of [...model.values()]) if (m.touch <= now - UDP_MS) end(m, 'idle');
      } else {
        const k = keys[Math.floor(rand() * keys.length)];
        const fromA = rand() < 0.5;
        const bytes = 40 + Math.floor(rand() * 1400);
        let m = model.get(k.id);
        if (m === undefined) {
          if (model.size === MAX) end(model.values().next().value as ModelFlow, 'evicted');
          m = { key: k, aIsClient: fromA, out: 0, inn: 0, outBytes: 0, inBytes: 0, touch: now, seq: seq++ };
        }
        model.delete(k.id);
        model.set(k.id, m);
        m.touch = now;
        if (fromA === m.aIsClient) {
          m.out++;
          m.outBytes += bytes;
        } else {
          m.inn++;
          m.inBytes += bytes;
        }
        h.send(fromA ? { src: k.a, dst: k.b, sport: k.pa, dport: k.pb, ts: now, bytes } : { src: k.b, dst: k.a, sport: k.pb, dport: k.pa, ts: now, bytes });
      }
      assert.equal(h.table.count, model.size, `seed ${seed} step ${step}: live flows`);
    }
    h.table.flushAll();
    for (const m of [...model.values()].sort((x, y) => x.seq - y.seq)) end(m, 'end_of_input');
    const actual = h.records.map((r) => `${r.src_addr}:${r.src_port}>${r.dst_addr}:${r.dst_port} ${r.out_pkts}/${r.out_bytes} ${r.in_pkts}/${r.in_bytes} ${r.flow_end_reason}`);
    assert.ok(expected.some((e) => e.endsWith('evicted')), `seed ${seed}: the run should evict`);
    assert.ok(expected.some((e) => e.endsWith('idle')), `seed ${seed}: the run should expire`);
    assert.deepEqual(actual, expected, `seed ${seed}`);
  }
});
