/**
 * JsonlSink's bytes agree with the record object buildRecord() makes for the
 * same flow: every line parses back to that object, with the keys in the
 * object's (docs/schema.md's) order, for captures with IPv4, IPv6, ICMP,
 * tunnels, VLANs and fragments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureInput } from '../../src/capture/file-source';
import { Probe } from '../../src/probe';
import { JsonlSink } from '../../src/export/jsonl';
import { LineOutput } from '../../src/export/output';
import { buildRecord, FlowRecord } from '../../src/flow/record';
import type { FlowTable } from '../../src/flow/table';
import type { EndReason } from '../../src/flow/expiry';
import type { DpiEngine } from '../../src/dpi/engine';
import type { RecordSink } from '../../src/export/sink';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pcap');
const SAMPLE = join(__dirname, '..', '..', '..', 'samples', 'sample.pcap');

/** Writes every record through JsonlSink and keeps the record object of the same slot. */
class AlsoObjects implements RecordSink {
  readonly objects: FlowRecord[] = [];
  constructor(readonly jsonl: JsonlSink) {}
  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.objects.push(buildRecord(t, f, reason, dpi));
    this.jsonl.writeFlow(t, f, reason, dpi);
  }
  close(): Promise<void> {
    return this.jsonl.close();
  }
}

for (const file of [join(FIXTURES, 'vxlan.pcap'), join(FIXTURES, '6in4tunnel.pcap'), join(FIXTURES, 'dns_fragmented.pcap'), SAMPLE]) {
  test(`jsonl-lines-equal-record-objects-in-schema-order: ${file.split('/').pop()}`, async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flowtap-jsonl-')), 'out.jsonl');
    const sink = new AlsoObjects(new JsonlSink(new LineOutput(path)));
    const probe = new Probe(sink);
    await (await openCaptureInput(file)).run(probe);
    probe.finish();
    await sink.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    assert.ok(sink.objects.length > 0);
    assert.equal(lines.length, sink.objects.length);
    lines.forEach((l, i) => {
      const parsed = JSON.parse(l) as Record<string, unknown>;
      assert.deepEqual(parsed, { ...sink.objects[i] });
      assert.deepEqual(Object.keys(parsed), Object.keys(sink.objects[i]));
      assert.equal(l, JSON.stringify(parsed), 'compact, escaped as JSON.stringify does');
    });
  });
}
