/**
 * JsonlSink's two ways in give the same bytes: writeFlow() (straight from the
 * flow table, the probe's path) and write(buildRecord()) (from a record
 * object), for every record of captures with IPv4, IPv6, ICMP, tunnels, VLANs
 * and fragments; and each line parses back to the record object.
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
import type { RecordSink } from '../../src/export/sink';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pcap');
const SAMPLE = join(__dirname, '..', '..', '..', 'samples', 'sample.pcap');

/** Writes every record both ways: fast path to one file, record objects to another. */
class BothWays implements RecordSink {
  readonly objects: FlowRecord[] = [];
  constructor(readonly fast: JsonlSink, readonly slow: JsonlSink) {}
  write(rec: FlowRecord): void {
    this.slow.write(rec);
  }
  writeFlow(t: FlowTable, f: number, reason: EndReason): void {
    this.fast.writeFlow(t, f, reason);
    const rec = buildRecord(t, f, reason);
    this.objects.push(rec);
    this.slow.write(rec);
  }
  async close(): Promise<void> {
    await this.fast.close();
    await this.slow.close();
  }
}

for (const file of [join(FIXTURES, 'vxlan.pcap'), join(FIXTURES, '6in4tunnel.pcap'), join(FIXTURES, 'dns_fragmented.pcap'), SAMPLE]) {
  test(`jsonl-fast-path-equals-record-path: ${file.split('/').pop()}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowtap-jsonl-'));
    const sink = new BothWays(new JsonlSink(new LineOutput(join(dir, 'fast'))), new JsonlSink(new LineOutput(join(dir, 'slow'))));
    const probe = new Probe(sink);
    await (await openCaptureInput(file)).run(probe);
    probe.finish();
    await sink.close();
    const fast = readFileSync(join(dir, 'fast'), 'utf8');
    assert.ok(sink.objects.length > 0);
    assert.equal(fast, readFileSync(join(dir, 'slow'), 'utf8'));
    const lines = fast.trimEnd().split('\n');
    assert.equal(lines.length, sink.objects.length);
    lines.forEach((l, i) => assert.deepEqual(JSON.parse(l), JSON.parse(JSON.stringify(sink.objects[i]))));
  });
}
