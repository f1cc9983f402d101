/**
 * ThreadedJsonlSink writes exactly what the inline JsonlSink writes, in the
 * same order, also when a tiny ring makes the packet thread wait for the
 * output thread (nothing dropped); a failing output surfaces from close() as
 * E_OUTPUT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureInput } from '../../src/capture/file-source';
import { Probe } from '../../src/probe';
import { JsonlSink } from '../../src/export/jsonl';
import { ThreadedJsonlSink } from '../../src/export/threaded-jsonl';
import { LineOutput } from '../../src/export/output';
import type { RecordSink } from '../../src/export/sink';
import { FlowtapError } from '../../src/util/errors';

const ROOT = join(__dirname, '..', '..', '..');
const INPUTS = [join(ROOT, 'samples', 'sample.pcap'), join(ROOT, 'test', 'fixtures', 'pcap', '6in4tunnel.pcap'), join(ROOT, 'test', 'fixtures', 'pcap', 'vxlan.pcap')];

async function run(sink: RecordSink, files: string[]): Promise<void> {
  const probe = new Probe(sink);
  for (const f of files) await (await openCaptureInput(f)).run(probe);
  probe.finish();
  await sink.close();
}

for (const capacity of [8192, 2]) {
  test(`threaded-output-equals-inline-output (ring of ${capacity})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowtap-threaded-'));
    await run(new JsonlSink(new LineOutput(join(dir, 'inline'))), INPUTS);
    const threaded = new ThreadedJsonlSink(new LineOutput(join(dir, 'threaded')), capacity);
    await run(threaded, INPUTS);
    const inline = readFileSync(join(dir, 'inline'), 'utf8');
    assert.ok(inline.split('\n').length > 50);
    assert.equal(readFileSync(join(dir, 'threaded'), 'utf8'), inline);
  });
}

test('threaded-output-write-failure-is-E_OUTPUT-from-close', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const sink = new ThreadedJsonlSink(new LineOutput('/dev/full'));
  await assert.rejects(run(sink, [INPUTS[0]]), (err: unknown) => {
    assert.ok(err instanceof FlowtapError);
    assert.equal(err.code, 'E_OUTPUT');
    assert.match(err.message, /\/dev\/full: ENOSPC/);
    return true;
  });
});
