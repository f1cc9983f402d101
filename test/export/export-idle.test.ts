/**
 * ExportSink while records trickle in (live capture): JSON Lines that wait
 * in the export thread's buffer while no records come are written out after
 * about idleFlushMs, before close() (and stay there with idleFlushMs 0), and
 * the export thread sends each network sink's counters (delivered, errors,
 * pending) to the main thread while it runs (sinkStats, for /metrics).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureInput } from '../../src/capture/file-source';
import { Probe } from '../../src/probe';
import { ExportSink } from '../../src/export/export-sink';
import type { SinkSpec } from '../../src/export/sinks/spec';
import type { TestTransportOptions } from './test-transports';
import { until } from '../capture/netns';

const ROOT = join(__dirname, '..', '..', '..');
const SAMPLE = join(ROOT, 'samples', 'sample.pcap');
const TRANSPORTS = join(__dirname, 'test-transports.js');

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

function testSink(id: string, o: TestTransportOptions): SinkSpec {
  return { kind: 'module', module: TRANSPORTS, id, options: o };
}

/** Feeds the sample's records into the sink (every flow ended), without closing it. */
async function feed(sink: ExportSink): Promise<number> {
  const probe = new Probe(sink);
  await (await openCaptureInput(SAMPLE)).run(probe);
  probe.finish();
  return probe.records;
}

test('JSON Lines waiting while no records come are written out before close()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-idle-'));
  const file = join(dir, 'out.jsonl');
  const sink = new ExportSink({ jsonl: [{ path: file }], idleFlushMs: 200 });
  try {
    await sink.ready();
    const n = await feed(sink);
    assert.ok(n > 10);
    await until(() => lines(file).length === n, `${n} lines in ${file} before close() (${lines(file).length} so far)`);
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the idle flush, a few records stay buffered until close()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-idle-'));
  const file = join(dir, 'out.jsonl');
  const sink = new ExportSink({ jsonl: [{ path: file }], idleFlushMs: 0 });
  try {
    await sink.ready();
    const n = await feed(sink);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(lines(file).length, 0);
    await sink.close();
    assert.equal(lines(file).length, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each network sink\'s counters reach the main thread while the export thread runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-idle-'));
  const sink = new ExportSink({
    sinks: [
      testSink('ok', { behaviour: 'fast', name: 'fast-sink' }),
      testSink('flaky', { behaviour: 'down-then-up', name: 'flaky-sink', failures: 2 }),
    ],
    delivery: { spoolRoot: join(dir, 'spool'), maxSpoolBytes: 64 << 20, memoryRecords: 1000, retryMinMs: 5, retryMaxMs: 20 },
    statsIntervalMs: 50,
  });
  try {
    await sink.ready();
    await until(() => sink.sinkStats.length === 2, 'the first counters');
    assert.deepEqual(sink.sinkStats.map((s) => [s.name, s.delivered]), [['fast-sink', 0], ['flaky-sink', 0]]);
    const n = await feed(sink);
    await until(() => sink.sinkStats.every((s) => s.delivered === n), `${n} records delivered by both sinks (${JSON.stringify(sink.sinkStats)})`);
    const flaky = sink.sinkStats[1];
    assert.ok(flaky.errors >= 2, `errors: ${flaky.errors}`);
    assert.equal(flaky.pending, 0);
    assert.equal(sink.sinkStats[0].errors, 0);
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
