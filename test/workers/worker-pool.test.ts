/**
 * The worker pool (src/workers/worker-pool.ts) in this process, with real
 * worker threads and export thread: a capture through its dispatcher gives
 * the figures and records of a single Probe (summed, flow ids unique);
 * counters() shows them; reload() answers for every worker (an error per
 * worker when the lists cannot be read); a worker whose thread dies while
 * the capture thread waits on its full ring is given up after the stall
 * limit: the run ends, reports it, and the other worker's records are all
 * written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerPool } from '../../src/workers/worker-pool';
import { ExportSink } from '../../src/export/export-sink';
import { openCaptureInput } from '../../src/capture/file-source';
import { Probe } from '../../src/probe';
import { DEFAULT_TIMEOUTS } from '../../src/flow/expiry';
import { workerOf } from '../../src/workers/partition';
import { ethIpv4, fresh, parseJsonl, ROOT, tcp, udp } from '../cli/helpers';
import { pcapFile, type PcapRecord } from '../capture/helpers';

/** 400 UDP flows (3 packets each) and 100 TCP flows between many host pairs, over 40 s. */
function capture(dir: string): string {
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 400; i++) {
    const src = `10.1.${i >> 8}.${i & 255}`;
    const dst = `192.0.2.${(i * 7) & 255}`;
    for (let k = 0; k < 3; k++) recs.push({ sec: 1_700_000_000 + Math.floor(i / 10), frac: k * 1000, data: ethIpv4({ src, dst, proto: 17, data: udp(20000 + i, 53) }) });
  }
  for (let i = 0; i < 100; i++) {
    const src = `10.2.0.${i}`;
    recs.push({ sec: 1_700_000_040, frac: i, data: ethIpv4({ src, dst: '198.51.100.1', proto: 6, data: tcp(30000 + i, 443, 0x02) }) });
  }
  const file = join(dir, 'pool.pcap');
  writeFileSync(file, pcapFile({}, recs));
  return file;
}

const settings = { tunnels: true, timeouts: { ...DEFAULT_TIMEOUTS }, maxFlows: 1 << 20, dpi: true };

test('a capture through the pool gives the figures and records of one Probe; counters and reload answer', async () => {
  const dir = fresh('pool');
  const file = capture(dir);
  const out = join(dir, 'flows.jsonl');
  const sink = new ExportSink({ jsonl: [{ path: out }], producers: 3 });
  await sink.ready();
  const pool = await WorkerPool.start({ workers: 3, exporter: sink, clock: 'markers', ...settings });
  await (await openCaptureInput(file)).run(pool.dispatcher);
  const end = await pool.finish();
  await sink.close();

  const one = new Probe({ writeFlow() {}, async close() {} });
  await (await openCaptureInput(file)).run(one);
  const open = one.table.count;
  one.finish();
  assert.deepEqual(end.summary, one.summary());
  assert.equal(end.open, open);
  assert.deepEqual(end.failures, []);
  const records = parseJsonl(readFileSync(out, 'utf8'));
  assert.equal(records.length, one.records);
  assert.equal(new Set(records.map((r) => r.flow_id)).size, records.length, 'flow ids unique across workers');
  const c = pool.counters();
  assert.deepEqual(
    { packets: c.packets, flowsTotal: c.flowsTotal, records: c.records, flowsActive: c.flowsActive },
    { packets: one.packets, flowsTotal: one.table.created, records: one.records, flowsActive: 0 },
  );
});

test('reload() answers once every worker has tried; a directory that cannot be read is one line per worker', async () => {
  const dir = fresh('pool-reload');
  const lists = join(dir, 'lists');
  const sink = new ExportSink({ jsonl: [{ path: join(dir, 'out.jsonl') }], producers: 2 });
  await sink.ready();
  const pool = await WorkerPool.start({ workers: 2, exporter: sink, clock: 'markers', ...settings });
  try {
    assert.deepEqual(await pool.reload(lists), [
      `worker 1 of 2: --lists ${lists}: cannot read the directory (ENOENT)`,
      `worker 2 of 2: --lists ${lists}: cannot read the directory (ENOENT)`,
    ]);
    assert.deepEqual(await pool.reload(join(ROOT, 'test', 'fixtures', 'dpi')), []);
  } finally {
    await pool.finish();
    await sink.close();
  }
});

test('a worker that dies while the capture thread waits on its full ring is given up, its lost frames are told; the other worker\'s records are all written', async () => {
  const dir = fresh('pool-stall');
  const file = capture(dir);
  const out = join(dir, 'flows.jsonl');
  const sink = new ExportSink({ jsonl: [{ path: out }], producers: 2 });
  await sink.ready();
  const failures: string[] = [];
  const pool = await WorkerPool.start({
    workers: 2,
    exporter: sink,
    clock: 'markers',
    ...settings,
    // A ring of 8 KiB fills at once; the worker ends its thread without a word after 5 frames.
    ringBytes: 8192,
    stallMs: 300,
    fault: { worker: 1, afterPackets: 5, kind: 'exit' },
    onFailure: (line) => failures.push(line),
  });
  const kept = new Set<string>();
  await (await openCaptureInput(file)).run({
    onPacket(lt, buf, off, caplen, wire, ts) {
      if (workerOf(lt, buf, off, caplen, 2) === 0) kept.add(buf.toString('hex', off + 26, off + 34));
      pool.dispatcher.onPacket(lt, buf, off, caplen, wire, ts);
    },
  });
  const end = await pool.finish();
  await sink.close();
  assert.deepEqual(end.failures, ['worker 2 of 2 failed: its thread ended (exit code 70) before the end of input']);
  assert.deepEqual(failures, end.failures);
  assert.ok(pool.dispatcher.lost > 0, 'frames for the dead worker were dropped, not waited for');
  assert.deepEqual(end.warnings, [`${pool.dispatcher.lost} frames were not processed: the thread they were meant for had failed`]);
  const pairs = new Set(parseJsonl(readFileSync(out, 'utf8')).map((r) => {
    const a = (s: string): string => Buffer.from(s.split('.').map(Number)).toString('hex');
    return a(r.src_addr) + a(r.dst_addr);
  }));
  for (const k of kept) assert.ok(pairs.has(k), `the flow of ${k} (worker 1) was written`);
});
