/**
 * The contract every Transport (src/export/sinks/transport.ts) must pass,
 * as node:test cases registered by transportContract(). A destination's test
 * file supplies a ContractPeer: its transport aimed at a real peer (a
 * collector, a server, a file) that the test can stop and start again.
 *
 * Also exports the sample records the sink tests share: the records flowtap
 * makes from samples/sample.pcap (through the Probe and buildRecord), and
 * renumbered copies of them in any quantity.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCaptureInput } from '../../../src/capture/file-source';
import { Probe } from '../../../src/probe';
import { buildRecord, type FlowRecord } from '../../../src/flow/record';
import type { FlowTable } from '../../../src/flow/table';
import type { EndReason } from '../../../src/flow/expiry';
import type { DpiEngine } from '../../../src/dpi/engine';
import type { RecordSink } from '../../../src/export/sink';
import { SinkError, type Transport } from '../../../src/export/sinks/transport';

export interface ContractPeer {
  transport: Transport;
  /** Records received so far by the real peer, in arrival order (its representation turned back into record objects). */
  received(): Promise<FlowRecord[]>;
  /** Stop the peer (refuse connections). */
  stop(): Promise<void>;
  /** Start it again on the same address. */
  restart(): Promise<void>;
  close(): Promise<void>;
  /**
   * For destinations that cannot carry every field (IPFIX templates, a
   * ClickHouse table with fewer columns): what of a sent record should come
   * back. Applied to the sent records before comparing; default: all of it.
   */
  expected?(rec: FlowRecord): unknown;
  /**
   * False for destinations that cannot notice a stopped peer (UDP export:
   * "delivered" means handed to the kernel). Their send to a stopped peer
   * must still settle in time, but need not reject. Default true.
   */
  detectsOutage?: boolean;
}

export interface ContractOptions {
  /** Longest a send may take before it counts as hanging (default 30 s, as the Transport contract promises). */
  hangLimitMs?: number;
  /** How long to wait for sent records to show up at the peer (default 15 s). */
  arrivalWaitMs?: number;
}

const ROOT = join(__dirname, '..', '..', '..', '..');
const SAMPLE = join(ROOT, 'samples', 'sample.pcap');

class Collect implements RecordSink {
  readonly records: FlowRecord[] = [];
  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.records.push(buildRecord(t, f, reason, dpi));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The sample records as JSON text, made once per process. */
let samples: Promise<string> | null = null;

/**
 * The records of samples/sample.pcap (39 flows: TCP, UDP, ICMP, IPv6, with
 * DPI metadata), as the JSON Lines output has them; fresh objects on every
 * call, so a transport that modifies them cannot spoil other cases.
 */
export async function sampleRecords(): Promise<FlowRecord[]> {
  if (samples === null) {
    samples = (async () => {
      const sink = new Collect();
      const probe = new Probe(sink);
      await (await openCaptureInput(SAMPLE)).run(probe);
      probe.finish();
      return JSON.stringify(sink.records);
    })();
  }
  return JSON.parse(await samples) as FlowRecord[];
}

/** n records cycling through the sample records, each with its own flow_id (first, first+1, ...); no two share an object. */
export async function manyRecords(n: number, first = 1): Promise<FlowRecord[]> {
  const base = await sampleRecords();
  const out = new Array<FlowRecord>(n);
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length];
    const r: FlowRecord = { ...b, flow_id: first + i };
    for (const k of Object.keys(r)) if (Array.isArray(r[k])) r[k] = (r[k] as unknown[]).slice();
    out[i] = r;
  }
  return out;
}

/** JSON with object keys sorted, so records compare whatever key order a destination returns. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val === null || typeof val !== 'object' || Array.isArray(val)) return val;
    const o = val as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls received() until it holds at least n records (or waitMs passed); returns the last answer. */
async function receivedAtLeast(p: ContractPeer, n: number, waitMs: number): Promise<FlowRecord[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const got = await p.received();
    if (got.length >= n || Date.now() > until) return got;
    await sleep(50);
  }
}

type Settled = { ok: true } | { ok: false; err: unknown } | { hung: true };

/** Runs a send, but gives up waiting after limitMs. */
async function settleWithin(p: Promise<unknown>, limitMs: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Settled>((r) => {
    timer = setTimeout(() => r({ hung: true }), limitMs);
  });
  try {
    return await Promise.race([p.then(
      (): Settled => ({ ok: true }),
      (err: unknown): Settled => ({ ok: false, err }),
    ), hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function withPeer(make: () => Promise<ContractPeer>, fn: (p: ContractPeer) => Promise<void>): Promise<void> {
  const p = await make();
  try {
    await fn(p);
  } finally {
    try {
      await p.transport.close();
    } finally {
      await p.close();
    }
  }
}

function expectOf(p: ContractPeer): (r: FlowRecord) => unknown {
  return p.expected !== undefined ? (r) => (p.expected as (r: FlowRecord) => unknown)(r) : (r) => r;
}

/** Registers the cases every Transport must pass; peer() makes a fresh peer (and its transport) for each case. */
export function transportContract(name: string, peer: () => Promise<ContractPeer>, opts: ContractOptions = {}): void {
  const hangLimit = opts.hangLimitMs ?? 30_000;
  const wait = opts.arrivalWaitMs ?? 15_000;
  const caseTimeout = hangLimit * 3 + wait * 3 + 30_000;

  describe(`transport contract: ${name}`, () => {
    test('a batch of sample records arrives intact', { timeout: caseTimeout }, async () => {
      await withPeer(peer, async (p) => {
        const recs = await sampleRecords();
        const batch = recs.slice(0, Math.min(recs.length, p.transport.maxBatch));
        await p.transport.send(batch);
        const got = await receivedAtLeast(p, batch.length, wait);
        const exp = expectOf(p);
        assert.deepEqual(got, batch.map(exp) as FlowRecord[]);
      });
    });

    test('many batches arrive complete and in order', { timeout: caseTimeout }, async () => {
      await withPeer(peer, async (p) => {
        const size = Math.max(1, Math.min(p.transport.maxBatch, 50));
        const all = await manyRecords(size * 20, 1000);
        for (let i = 0; i < all.length; i += size) await p.transport.send(all.slice(i, i + size));
        const got = await receivedAtLeast(p, all.length, wait);
        const exp = expectOf(p);
        assert.equal(got.length, all.length, 'every record arrived exactly once');
        assert.deepEqual(got.map(canonical), all.map((r) => canonical(exp(r))));
      });
    });

    test('send() leaves the records it was given unchanged', { timeout: caseTimeout }, async () => {
      await withPeer(peer, async (p) => {
        const batch = (await sampleRecords()).slice(0, Math.min(10, p.transport.maxBatch));
        const before = structuredClone(batch);
        await p.transport.send(batch);
        assert.deepEqual(batch, before);
      });
    });

    test('send() to a stopped peer settles in time (rejecting with a SinkError) and a send after restart() arrives', { timeout: caseTimeout }, async () => {
      await withPeer(peer, async (p) => {
        const size = Math.max(1, Math.min(p.transport.maxBatch, 5));
        const [a, b, c] = [await manyRecords(size, 1), await manyRecords(size, 101), await manyRecords(size, 201)];
        await p.transport.send(a);
        await receivedAtLeast(p, a.length, wait);
        await p.stop();
        const down = await settleWithin(p.transport.send(b), hangLimit);
        assert.ok(!('hung' in down), `send() to a stopped peer did not settle within ${hangLimit} ms`);
        if (p.detectsOutage !== false) {
          assert.ok('ok' in down && !down.ok, 'send() to a stopped peer must reject');
          assert.ok(down.err instanceof SinkError, `rejects with a SinkError, not ${String(down.err)}`);
        } else if ('ok' in down && !down.ok) {
          assert.ok(down.err instanceof SinkError, `rejects with a SinkError, not ${String(down.err)}`);
        }
        await p.restart();
        const up = await settleWithin(p.transport.send(c), hangLimit);
        assert.ok(!('hung' in up), `send() after restart() did not settle within ${hangLimit} ms`);
        assert.ok('ok' in up && up.ok, `send() after restart() must succeed${'err' in up ? `: ${String(up.err)}` : ''}`);
        const exp = expectOf(p);
        const want = [...a, ...c].map((r) => canonical(exp(r)));
        let got: string[] = [];
        const until = Date.now() + wait;
        for (;;) {
          got = (await p.received()).map(canonical);
          const tail = got.slice(-c.length);
          if (tail.length === c.length && tail.every((g, i) => g === want[a.length + i])) break;
          if (Date.now() > until) break;
          await sleep(50);
        }
        assert.deepEqual(got.slice(0, a.length), want.slice(0, a.length), 'the batch before the outage arrived');
        assert.deepEqual(got.slice(-c.length), want.slice(a.length), 'the batch after restart arrived, last');
      });
    });

    test('close() is idempotent and a send after close() rejects with a SinkError', { timeout: caseTimeout }, async () => {
      await withPeer(peer, async (p) => {
        const batch = (await sampleRecords()).slice(0, 1);
        await p.transport.send(batch);
        await p.transport.close();
        await p.transport.close();
        const after = await settleWithin(p.transport.send(batch), hangLimit);
        assert.ok(!('hung' in after), `send() after close() did not settle within ${hangLimit} ms`);
        assert.ok('ok' in after && !after.ok, 'send() after close() must reject');
        assert.ok(after.err instanceof SinkError, `rejects with a SinkError, not ${String(after.err)}`);
      });
    });
  });
}
