/**
 * ExportSink: the JSON Lines it writes on the export thread are exactly the
 * inline JsonlSink's (also when a tiny ring makes the packet thread wait);
 * a failing output surfaces from close() as E_OUTPUT; with network sinks,
 * every record reaches a working destination exactly once and in order, one
 * that is down at first gets everything once it comes back (through its
 * spool), and one that never acknowledges keeps every record in its spool,
 * which the next run delivers. The summary line says which happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureInput } from '../../src/capture/file-source';
import { Probe } from '../../src/probe';
import { JsonlSink } from '../../src/export/jsonl';
import { ExportSink, type ExportOptions } from '../../src/export/export-sink';
import { LineOutput } from '../../src/export/output';
import { rotatedFiles } from '../../src/export/rotating-output';
import type { RecordSink } from '../../src/export/sink';
import { spoolKey, type SinkSpec } from '../../src/export/sinks/spec';
import { sinkLine } from '../../src/cli/main';
import { FlowtapError, UsageError } from '../../src/util/errors';
import type { TestTransportOptions } from './test-transports';

const ROOT = join(__dirname, '..', '..', '..');
const INPUTS = [join(ROOT, 'samples', 'sample.pcap'), join(ROOT, 'test', 'fixtures', 'pcap', '6in4tunnel.pcap'), join(ROOT, 'test', 'fixtures', 'pcap', 'vxlan.pcap')];
const TRANSPORTS = join(__dirname, 'test-transports.js');

async function run(sink: RecordSink, files: string[]): Promise<void> {
  const probe = new Probe(sink);
  for (const f of files) await (await openCaptureInput(f)).run(probe);
  probe.finish();
  await sink.close();
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'flowtap-export-'));
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

function testSink(id: string, o: TestTransportOptions): SinkSpec {
  return { kind: 'module', module: TRANSPORTS, id, options: o };
}

async function inline(dir: string): Promise<string> {
  const file = join(dir, 'inline.jsonl');
  await run(new JsonlSink(new LineOutput(file)), INPUTS);
  return readFileSync(file, 'utf8');
}

for (const capacity of [8192, 2]) {
  test(`export-thread JSON Lines equal the inline output (ring of ${capacity})`, async () => {
    const dir = tmp();
    try {
      const expected = await inline(dir);
      assert.ok(expected.split('\n').length > 50);
      await run(new ExportSink({ jsonl: [{ path: join(dir, 'threaded') }], capacity }), INPUTS);
      assert.equal(readFileSync(join(dir, 'threaded'), 'utf8'), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a write failure of the JSON Lines output is E_OUTPUT from close()', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const sink = new ExportSink({ jsonl: [{ path: '/dev/full' }] });
  await assert.rejects(run(sink, [INPUTS[0]]), (err: unknown) => {
    assert.ok(err instanceof FlowtapError);
    assert.equal(err.code, 'E_OUTPUT');
    assert.match(err.message, /\/dev\/full: ENOSPC/);
    return true;
  });
});

test('an output file that cannot be created is E_OUTPUT naming it, before any record', () => {
  assert.throws(() => new ExportSink({ jsonl: [{ path: '/nonexistent-dir/out.jsonl' }] }), (err: unknown) => {
    assert.ok(err instanceof FlowtapError);
    assert.equal(err.code, 'E_OUTPUT');
    assert.match(err.message, /cannot open output file \/nonexistent-dir\/out\.jsonl/);
    return true;
  });
});

test('a sink whose module cannot build a transport fails ready() with a UsageError', async () => {
  const dir = tmp();
  try {
    const sink = new ExportSink({
      sinks: [{ kind: 'module', module: join(dir, 'no-such-module.js'), id: 'x' }],
      delivery: { spoolRoot: dir, maxSpoolBytes: 1 << 20, memoryRecords: 10 },
    });
    await assert.rejects(sink.ready(), (err: unknown) => err instanceof FlowtapError);
    await assert.rejects(sink.close());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('several network sinks: fast and recovering get every record once in order, a silent one spools them all; the next run delivers the spool', async () => {
  const dir = tmp();
  try {
    const expected = (await inline(dir)).split('\n').filter((l) => l !== '');
    const spoolRoot = join(dir, 'spool');
    const files = { fast: join(dir, 'fast.jsonl'), flaky: join(dir, 'flaky.jsonl'), silent: join(dir, 'silent.jsonl') };
    const opts: ExportOptions = {
      jsonl: [{ path: join(dir, 'out.jsonl') }, { path: join(dir, 'rotated.jsonl'), rotate: { maxBytes: 4096, intervalMs: 0, clock: 'record', keep: 0 } }],
      sinks: [
        testSink('fast', { behaviour: 'fast', name: 'test fast', file: files.fast }),
        testSink('flaky', { behaviour: 'down-then-up', name: 'test flaky', file: files.flaky, failures: 4 }),
        testSink('silent', { behaviour: 'never-acks', name: 'test silent', file: files.silent }),
      ],
      // Little memory, so records spill to the spools while a destination is down or silent.
      delivery: { spoolRoot, maxSpoolBytes: 64 << 20, memoryRecords: 20, retryMinMs: 5, retryMaxMs: 20 },
      drainTimeoutMs: 3000,
      quiet: true,
      capacity: 64,
    };
    const sink = new ExportSink(opts);
    await sink.ready();
    await run(sink, INPUTS);

    assert.equal(readFileSync(join(dir, 'out.jsonl'), 'utf8'), expected.join('\n') + '\n', 'JSON Lines output unchanged beside the sinks');
    const rotated = [...rotatedFiles(join(dir, 'rotated.jsonl')), join(dir, 'rotated.jsonl')];
    assert.ok(rotated.length > 1);
    assert.equal(rotated.map((f) => readFileSync(f, 'utf8')).join(''), expected.join('\n') + '\n', 'a second, rotating JSON Lines output gets the same lines');
    const parsed = expected.map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines(files.fast).map((l) => JSON.parse(l) as unknown), parsed, 'fast: every record once, in order');
    assert.deepEqual(lines(files.flaky).map((l) => JSON.parse(l) as unknown), parsed, 'down then up: every record once, in order');
    assert.equal(lines(files.silent).length, 0);

    const [fast, flaky, silent] = sink.reports;
    assert.equal(sink.reports.length, 3);
    assert.equal(fast.stats.delivered, expected.length);
    assert.equal(fast.drain.spooled, 0);
    assert.equal(flaky.stats.delivered, expected.length);
    assert.ok(flaky.stats.spilled > 0, 'the recovering sink used its spool');
    assert.ok(flaky.stats.errors >= 4);
    assert.equal(silent.stats.delivered, 0);
    assert.equal(silent.drain.spooled, expected.length);
    assert.equal(silent.drain.dropped, 0);
    assert.equal(silent.spoolDir, join(spoolRoot, 'module-silent'));

    assert.equal(sinkLine(fast), `test fast: ${expected.length.toLocaleString('en-US')} records delivered`);
    assert.equal(
      sinkLine(silent).replace(/ \(last error: .*\)$/, ''),
      `test silent: 0 records delivered, ${expected.length.toLocaleString('en-US')} kept in ${silent.spoolDir} for the next run`,
    );

    // Next run: the same destination id, now answering: the spool goes out first, then nothing new.
    const next = new ExportSink({
      sinks: [testSink('silent', { behaviour: 'fast', name: 'test silent', file: files.silent })],
      delivery: { spoolRoot, maxSpoolBytes: 64 << 20, memoryRecords: 20 },
      drainTimeoutMs: 10_000,
      quiet: true,
    });
    await next.ready();
    await run(next, []);
    assert.deepEqual(lines(files.silent).map((l) => JSON.parse(l) as unknown), parsed, 'the spool of the silent sink, delivered by the next run');
    assert.equal(next.reports[0].drain.spooled, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the end of the run sends a partial batch at once, however long its linger time and the drain timeout', { timeout: 60_000 }, async () => {
  const dir = tmp();
  try {
    const expected = (await inline(dir)).split('\n').filter((l) => l !== '');
    const file = join(dir, 'lingering.jsonl');
    const sink = new ExportSink({
      sinks: [testSink('lingering', { behaviour: 'fast', name: 'test lingering', file, maxBatch: 100_000, lingerMs: 3_600_000 })],
      delivery: { spoolRoot: join(dir, 'spool'), maxSpoolBytes: 64 << 20, memoryRecords: 100_000 },
      drainTimeoutMs: 3_600_000,
      quiet: true,
    });
    await sink.ready();
    await run(sink, INPUTS);
    assert.equal(lines(file).length, expected.length);
    assert.equal(sink.reports[0].stats.delivered, expected.length);
    assert.equal(sink.reports[0].drain.spooled, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('force() cuts the drain short: a silent sink keeps its records in the spool at once, whatever the drain timeout', { timeout: 60_000 }, async () => {
  const dir = tmp();
  try {
    const expected = (await inline(dir)).split('\n').filter((l) => l !== '');
    const sink = new ExportSink({
      sinks: [testSink('silent', { behaviour: 'never-acks', name: 'test silent' })],
      delivery: { spoolRoot: join(dir, 'spool'), maxSpoolBytes: 64 << 20, memoryRecords: 100_000 },
      drainTimeoutMs: 3_600_000,
      quiet: true,
    });
    await sink.ready();
    // The force may come while records are still being exported or once the drain waits: the same outcome.
    const timer = setTimeout(() => sink.force(), 300);
    try {
      await run(sink, INPUTS);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(sink.reports[0].stats.delivered, 0);
    assert.equal(sink.reports[0].drain.spooled, expected.length);
    assert.equal(sink.reports[0].drain.dropped, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full spool drops records, counted in the report and its line', async () => {
  const dir = tmp();
  try {
    const sink = new ExportSink({
      sinks: [testSink('tiny', { behaviour: 'never-acks', name: 'test tiny' })],
      delivery: { spoolRoot: join(dir, 'spool'), maxSpoolBytes: 4096, memoryRecords: 5 },
      drainTimeoutMs: 0,
      quiet: true,
    });
    await sink.ready();
    await run(sink, INPUTS);
    const [r] = sink.reports;
    assert.ok(r.drain.dropped > 0);
    assert.ok(r.drain.spooled < r.stats.received);
    assert.match(sinkLine(r), /^test tiny: 0 records delivered, .* dropped \(spool full: raise --buffer-size\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('UsageError is what ready() rejects with for a refused sink configuration', async () => {
  const dir = tmp();
  try {
    const sink = new ExportSink({
      sinks: [{ kind: 'fluentd', options: { host: 'localhost', port: 0 } }],
      delivery: { spoolRoot: dir, maxSpoolBytes: 1 << 20, memoryRecords: 10 },
    });
    await assert.rejects(sink.ready(), (err: unknown) => err instanceof UsageError);
    await assert.rejects(sink.close());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spool directories are named after their destination', () => {
  assert.equal(spoolKey({ kind: 'fluentd', options: { host: '10.0.0.5', port: 24224, tag: 'ndpi.flow' } }), 'fluentd-10.0.0.5-24224-ndpi.flow');
  assert.equal(spoolKey({ kind: 'fluentd', options: { host: 'fd00::1' } }), 'fluentd-fd00__1-24224-ndpi.flow');
  assert.equal(
    spoolKey({ kind: 'elasticsearch', options: { url: 'https://es.example:9200/', indexPrefix: 'flowtap', installTemplate: true } }),
    'elasticsearch-es.example-9200-flowtap',
  );
  assert.equal(spoolKey({ kind: 'elasticsearch', options: { url: 'https://es.example', indexPrefix: 'flowtap', installTemplate: true } }), 'elasticsearch-es.example-443-flowtap');
  assert.equal(spoolKey({ kind: 'ipfix', options: { protocol: 'netflow9', url: 'udp://collector:2055' } }), 'netflow9-collector-2055');
  assert.equal(spoolKey({ kind: 'module', module: '/x.js', id: 'a/b' }), 'module-a_b');
});
