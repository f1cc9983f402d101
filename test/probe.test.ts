/**
 * The probe pipeline over real captures: every packet read is accounted for
 * (in a record, or as malformed, non-IP, filtered, of an unsupported link
 * type, or an orphaned fragment) across the whole nDPI corpus; golden JSONL
 * output for three small committed captures; expiry on the packet clock; the
 * BPF filter's count.
 *
 * Golden files: test/fixtures/golden/<capture>.jsonl is the exact output
 * (JsonlSink) for test/fixtures/pcap/<capture>.pcap. After an intended
 * change of the output, regenerate them with
 *   UPDATE_GOLDEN=1 TEST_FILES=probe node scripts/run-tests.js
 * and review the diff before committing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCaptureInput } from '../src/capture/file-source';
import { BpfFilter } from '../src/capture/bpf-filter';
import { Probe, ProbeOptions, ProbeSummary } from '../src/probe';
import { JsonlSink } from '../src/export/jsonl';
import { LineOutput } from '../src/export/output';
import type { DpiEngine } from '../src/dpi/engine';
import type { RecordSink } from '../src/export/sink';
import { buildRecord, type FlowRecord } from '../src/flow/record';
import type { FlowTable } from '../src/flow/table';
import type { EndReason } from '../src/flow/expiry';
import { pcapFile, PcapRecord } from './capture/helpers';
import { CORPUS, ethIpv4, pcap, ROOT, scratch, udp } from './cli/helpers';

const GOLDEN = join(ROOT, 'test', 'fixtures', 'golden');
const GOLDEN_CAPTURES = ['vxlan.pcap', '6in4tunnel.pcap', 'dns_fragmented.pcap'];
const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;

class Keep implements RecordSink {
  readonly records: FlowRecord[] = [];
  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.records.push(buildRecord(t, f, reason, dpi));
  }
  async close(): Promise<void> {}
}

interface Outcome {
  records: FlowRecord[];
  summary: ProbeSummary;
  error: unknown;
}

async function runProbe(path: string, opts: ProbeOptions = {}): Promise<Outcome> {
  const sink = new Keep();
  const probe = new Probe(sink, opts);
  let error: unknown = null;
  try {
    const src = await openCaptureInput(path);
    await src.run(probe);
  } catch (err) {
    error = err;
  }
  probe.finish();
  return { records: sink.records, summary: probe.summary(), error };
}

/** Packets read minus every place a packet can go; 0 when all are accounted for. */
function unaccounted(o: Outcome): number {
  const s = o.summary;
  const inRecords = o.records.reduce((a, r) => a + r.out_pkts + r.in_pkts, 0);
  const unsupported = Object.values(s.unsupported_link_types).reduce((a, b) => a + b, 0);
  return s.packets - (inRecords + s.malformed + s.non_ip + s.filtered + unsupported + s.fragments_orphaned);
}

function writePcap(name: string, records: PcapRecord[]): string {
  const p = join(scratch(), name);
  writeFileSync(p, pcapFile({}, records));
  return p;
}

test('golden output: the JSONL written for each committed capture is unchanged', async () => {
  const update = process.env.UPDATE_GOLDEN === '1';
  for (const name of GOLDEN_CAPTURES) {
    const out = join(scratch(), `${name}.jsonl`);
    const lines = new LineOutput(out);
    const sink = new JsonlSink(lines);
    const probe = new Probe(sink);
    await (await openCaptureInput(pcap(name))).run(probe);
    probe.finish();
    await sink.close();
    const actual = readFileSync(out, 'utf8');
    const goldenPath = join(GOLDEN, name.replace(/\.pcap$/, '.jsonl'));
    if (update) {
      writeFileSync(goldenPath, actual);
      continue;
    }
    assert.ok(existsSync(goldenPath), `${goldenPath} is missing: run with UPDATE_GOLDEN=1 to create it`);
    const expected = readFileSync(goldenPath, 'utf8');
    const a = actual.split('\n');
    const e = expected.split('\n');
    for (let i = 0; i < Math.max(a.length, e.length); i++) {
      assert.equal(a[i], e[i], `${name}: line ${i + 1} differs from ${goldenPath} (UPDATE_GOLDEN=1 rewrites it after an intended change)`);
    }
  }
});

test('golden captures: records account for every packet and the fixtures are small', async () => {
  for (const name of GOLDEN_CAPTURES) {
    const size = readFileSync(pcap(name)).length;
    assert.ok(size < 100 * 1024, `${name} is ${size} bytes`);
    const o = await runProbe(pcap(name));
    assert.equal(o.error, null);
    assert.ok(o.records.length > 0);
    assert.equal(unaccounted(o), 0, name);
    assert.equal(o.summary.records, o.records.length);
    assert.equal(o.summary.flows, new Set(o.records.map((r) => r.flow_id)).size);
  }
});

test('what the golden captures exercise: VXLAN with a VLAN, 6in4 IPv6, reassembled DNS fragments', async () => {
  const vx = await runProbe(pcap('vxlan.pcap'));
  assert.ok(vx.records.every((r) => r.tunnel === 'VXLAN' && r.vlan_id === 5));
  const six = await runProbe(pcap('6in4tunnel.pcap'));
  assert.ok(six.records.every((r) => r.tunnel === '6in4' && r.ip_version === 6));
  assert.ok(six.records.some((r) => r.protocol === 'ICMPV6' && r.icmp_type === 128));
  const dns = await runProbe(pcap('dns_fragmented.pcap'));
  assert.ok(dns.summary.fragments_reassembled > 0);
  assert.ok(dns.records.some((r) => r.flow_end_reason === 'idle'), 'expiry runs on the packet clock');
  assert.ok(dns.records.some((r) => r.ip_version === 4) && dns.records.some((r) => r.ip_version === 6));
});

test('every packet of every corpus capture is accounted for (records + malformed + non-IP + filtered + unsupported + orphaned)', { skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS}` }, async () => {
  // Captures where fragments still held at the end of input are not counted (see the todo test below).
  const knownHeldAtEnd = new Set(['fuzz-2006-06-26-2594.pcap', 'fuzz-2006-09-29-28586.pcap']);
  const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort();
  assert.ok(files.length > 100);
  const wrong: string[] = [];
  let packets = 0;
  for (const f of files) {
    if (knownHeldAtEnd.has(f)) continue;
    const o = await runProbe(join(CORPUS, f));
    packets += o.summary.packets;
    const d = unaccounted(o);
    if (d !== 0) wrong.push(`${f}: ${d} of ${o.summary.packets} packets unaccounted`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(packets > 50_000);
});

test('fragments still held at the end of input are counted (as orphaned)', async () => {
  const first = ethIpv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, data: udp(1000, 53) });
  // A lone later fragment: its first fragment never comes.
  const lone = ethIpv4({ src: '10.0.0.3', dst: '10.0.0.2', proto: 17, id: 77, fragOffset: 1480, data: Buffer.alloc(100) });
  const path = writePcap('held-at-end.pcap', [
    { sec: 1_700_000_000, frac: 0, data: first },
    { sec: 1_700_000_000, frac: 1000, data: lone },
  ]);
  const o = await runProbe(path);
  assert.equal(o.summary.packets, 2);
  assert.equal(o.records.length, 1);
  assert.equal(unaccounted(o), 0, `summary ${JSON.stringify(o.summary)}`);
});

test('a lone later fragment given up by expiry during the capture is counted as orphaned', async () => {
  const lone = ethIpv4({ src: '10.0.0.3', dst: '10.0.0.2', proto: 17, id: 77, fragOffset: 1480, data: Buffer.alloc(100) });
  const later = ethIpv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, data: udp(1000, 53) });
  const path = writePcap('orphan.pcap', [
    { sec: 1_700_000_000, frac: 0, data: lone },
    { sec: 1_700_000_100, frac: 0, data: later },
  ]);
  const o = await runProbe(path);
  assert.equal(o.summary.fragments_orphaned, 1);
  assert.equal(unaccounted(o), 0);
});

test('expiry runs on the packet clock: a flow idle past its timeout is written before later flows', async () => {
  const frames: PcapRecord[] = [];
  const t = 1_700_000_000;
  frames.push({ sec: t, frac: 0, data: ethIpv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, data: udp(1000, 53) }) });
  frames.push({ sec: t, frac: 5000, data: ethIpv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 17, data: udp(53, 1000) }) });
  frames.push({ sec: t + 61, frac: 0, data: ethIpv4({ src: '10.0.0.1', dst: '10.0.0.3', proto: 17, data: udp(1001, 53) }) });
  const o = await runProbe(writePcap('clock.pcap', frames));
  assert.deepEqual(o.records.map((r) => [r.dst_addr, r.flow_end_reason, r.out_pkts, r.in_pkts]), [
    ['10.0.0.2', 'idle', 1, 1],
    ['10.0.0.3', 'end_of_input', 1, 0],
  ]);
  assert.equal(o.records[0].out_bytes, frames[0].data.length);
  assert.equal(o.records[0].first_switched_ms, t * 1000);
  assert.equal(o.records[0].last_switched_ms, t * 1000 + 5);
  // Custom timeouts reach the table through ProbeOptions.
  const o2 = await runProbe(writePcap('clock2.pcap', frames), { flows: { timeouts: { udp: 120 } } });
  assert.deepEqual(o2.records.map((r) => r.flow_end_reason), ['end_of_input', 'end_of_input']);
});

test('the BPF filter drops packets before decoding and counts them', { skip: HAVE_TCPDUMP ? false : 'tcpdump is not installed' }, async () => {
  const all = await runProbe(pcap('dns_fragmented.pcap'));
  const o = await runProbe(pcap('dns_fragmented.pcap'), { filter: await BpfFilter.create('udp') });
  assert.ok(o.summary.filtered > 0);
  assert.ok(o.records.length > 0);
  assert.ok(o.records.every((r) => r.protocol === 'UDP'));
  assert.equal(o.records.length, all.records.filter((r) => r.protocol === 'UDP').length);
  assert.equal(unaccounted(o), 0);
  assert.equal(o.summary.packets, all.summary.packets);
});

test('--no-tunnels: the decoder option reaches the probe, outer packets are accounted', async () => {
  const o = await runProbe(pcap('vxlan.pcap'), { decoder: { tunnels: false } });
  assert.ok(o.records.length > 0);
  assert.ok(o.records.every((r) => r.tunnel === '' && r.protocol === 'UDP' && (r.dst_port === 4789 || r.src_port === 4789)));
  assert.equal(unaccounted(o), 0);
});
