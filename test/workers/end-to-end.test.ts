/**
 * Worker threads through the flowtap command (`-n N`), on capture files:
 *  - `-n 2` and `-n 3` write the same SET of records as `-n 1` (every
 *    field, labels and counters included) on the sample, the committed
 *    fixtures and a choice of corpus captures (fragments, ICMP, FTP, SIP,
 *    STUN/DTLS, tunnels, VLAN, IPv6); only flow_id differs (each worker
 *    numbers its own flows, spread so ids stay unique) and the order;
 *  - the end-of-run statistics (--stats-json) are the same figures;
 *  - -f filters before dispatch (same records and filtered count);
 *  - text lines (-v 2) are the same lines, each whole, numbered 1..n in
 *    output order; standard input works as with one thread;
 *  - alerting: a port scan (one pair of hosts) and a host sweep (one source
 *    to 150 hosts, so spread over every worker) alert on the same sources;
 *  - a worker that fails (an injected fault): one line naming it, exit 1,
 *    and every record of the other worker's flows is still written;
 *  - SIGHUP reloads the --lists directory in every worker: flows placed on
 *    either worker after the reload message get the new label.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../src/flow/record';
import type { Alert } from '../../src/detect/alert';
import { addressPairHash } from '../../src/workers/partition';
import { CLI, CORPUS, ethIpv4, fresh, parseJsonl, ROOT, scratch, tcp, udp, type Run } from '../cli/helpers';
import { pcapFile, pcapHeader, pcapRecord, type PcapRecord } from '../capture/helpers';
import { until } from '../capture/netns';
import { v4Word } from '../flow/helpers';

const SAMPLE = join(ROOT, 'samples', 'sample.pcap');
const FIXTURES = ['6in4tunnel.pcap', 'dns_fragmented.pcap', 'vxlan.pcap'].map((f) => join(ROOT, 'test', 'fixtures', 'pcap', f));
const CORPUS_PICKS = [
  'ftp.pcap', 'sip.pcap', 'stun_dtls_rtp.pcapng', 'smb_frags.pcap', 'malformed_icmp.pcap', 'ipv6_in_gtp.pcap', '4in6tunnel.pcap',
  'quic_frags_ch_in_multiple_packets.pcapng', 'dns_fragmented.pcap', 'bittorrent.pcap', 'android.pcap', 'skype.pcap', 'tls_missing_ch_frag.pcap',
];

function run(args: readonly string[], env: Record<string, string> = {}, input?: Buffer): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Records as comparable lines: every field but flow_id, sorted. */
function recordSet(jsonl: string): string[] {
  return parseJsonl(jsonl).map((r) => {
    const { flow_id: _id, ...rest } = r;
    return JSON.stringify(rest);
  }).sort();
}

function statsOf(stderr: string): Record<string, unknown> {
  const s = JSON.parse(stderr.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as Record<string, unknown>;
  for (const k of ['seconds', 'packets_per_second', 'input', 'sinks']) delete s[k];
  return s;
}

test('-n 2 and -n 3 write the same records as -n 1 (but flow_id), with the same statistics', () => {
  const corpus = existsSync(CORPUS) ? CORPUS_PICKS.map((f) => join(CORPUS, f)).filter((f) => existsSync(f)) : [];
  if (corpus.length === 0) process.stderr.write(`# the nDPI corpus is not at ${CORPUS}: only the sample and the fixtures are compared\n`);
  let records = 0;
  for (const file of [SAMPLE, ...FIXTURES, ...corpus]) {
    const one = run(['-r', file, '--stats-json']);
    assert.equal(one.code, 0, `${file}: ${one.stderr}`);
    const want = recordSet(one.stdout);
    records += want.length;
    for (const n of ['2', '3']) {
      const many = run(['-r', file, '--stats-json', '-n', n]);
      assert.equal(many.code, 0, `${file} -n ${n}: ${many.stderr}`);
      assert.deepEqual(recordSet(many.stdout), want, `${file}: -n ${n} against -n 1`);
      assert.deepEqual(statsOf(many.stderr), statsOf(one.stderr), `${file}: the statistics of -n ${n}`);
      const ids = parseJsonl(many.stdout).map((r) => r.flow_id);
      assert.equal(new Set(ids).size, parseJsonl(many.stdout).filter((r) => r.record_seq === 0).length, `${file}: one flow_id per flow with -n ${n}`);
    }
  }
  assert.ok(records > 50, `${records} records compared`);
});

test('-f filters before the workers: the same records and the same count of filtered packets', () => {
  for (const filter of ['udp', 'tcp port 80 or icmp']) {
    const one = run(['-r', SAMPLE, '-f', filter, '--stats-json']);
    const two = run(['-r', SAMPLE, '-f', filter, '--stats-json', '-n', '2']);
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(recordSet(two.stdout), recordSet(one.stdout), filter);
    assert.deepEqual(statsOf(two.stderr), statsOf(one.stderr), filter);
    assert.ok((statsOf(two.stderr).filtered as number) > 0, `${filter} filters some packets out`);
  }
});

test('text lines with -n 3 are the lines of -n 1, each whole, numbered in output order; standard input works', () => {
  const strip = (out: string): string[] => out.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\t\d+\t/, '')).sort();
  const one = run(['-r', SAMPLE, '-v', '2', '-q']);
  const three = run(['-r', SAMPLE, '-v', '2', '-q', '-n', '3']);
  assert.equal(three.code, 0, three.stderr);
  assert.deepEqual(strip(three.stdout), strip(one.stdout));
  const lines = three.stdout.split('\n').filter((l) => l !== '');
  lines.forEach((l, i) => assert.match(l, new RegExp(`^\\t${i + 1}\\t(TCP|UDP|ICMP)\\S* .*\\[end: \\w+\\]`), `line ${i + 1}`));
  const unknown = run(['-r', SAMPLE, '-v', '1', '-q', '-n', '2']);
  assert.deepEqual(strip(unknown.stdout), strip(run(['-r', SAMPLE, '-v', '1', '-q']).stdout), '-v 1: only the unknown flows');

  const stdin = run(['-r', '-', '-q', '-n', '2'], {}, readFileSync(SAMPLE));
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.deepEqual(recordSet(stdin.stdout), recordSet(run(['-r', SAMPLE, '-q']).stdout));
});

// ---- alerting ------------------------------------------------------------------

let SCAN = '';
let SWEEP = '';
const T0 = 1_714_644_000;

before(() => {
  SCAN = join(scratch(), 'syn-scan.pcap');
  const g = spawnSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'detect', 'gen-syn-scan.js'), SCAN], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  // One source opening TCP connections to 150 hosts in 30 s (a host sweep), amid DNS from other hosts.
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 150; i++) {
    const sec = T0 + Math.floor(i / 5);
    const frac = (i % 5) * 200_000;
    const dst = `198.51.100.${i + 1}`;
    recs.push({ sec, frac, data: ethIpv4({ src: '192.0.2.99', dst, proto: 6, data: tcp(40000 + i, 80, 0x02) }) });
    recs.push({ sec, frac: frac + 1000, data: ethIpv4({ src: dst, dst: '192.0.2.99', proto: 6, data: tcp(80, 40000 + i, 0x14) }) });
    recs.push({ sec, frac: frac + 2000, data: ethIpv4({ src: `203.0.113.${(i % 50) + 1}`, dst: '192.0.2.53', proto: 17, data: udp(30000 + i, 53) }) });
  }
  SWEEP = join(scratch(), 'host-sweep.pcap');
  writeFileSync(SWEEP, pcapFile({}, recs));
});

/**
 * What must not depend on the thread count: which sources are alerted on,
 * of which kind, how often. (Which detector crosses first and the counts at
 * the moment of raising depend on distinct counts estimated with a hash
 * seeded anew each run, so they vary between runs of one thread too;
 * flow-events.test.ts compares whole alerts with a fixed seed.)
 */
function alertSummary(a: Alert): unknown {
  return { src_addr: a.src_addr, kind: a.kind };
}

test('alerting with -n 2 and -n 3: the port scan and the host sweep are alerted on as with one thread', () => {
  for (const [name, file] of [['port scan', SCAN], ['host sweep', SWEEP]] as const) {
    const dir = fresh('workers-alerts');
    const alertsOf = (n: string): Alert[] => {
      const out = join(dir, `alerts-${n}.jsonl`);
      const r = run(['-r', file, '-w', join(dir, `flows-${n}.jsonl`), '--alerts', out, '-q', '-n', n]);
      assert.equal(r.code, 0, `${name} -n ${n}: ${r.stderr}`);
      return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Alert);
    };
    const one = alertsOf('1');
    assert.deepEqual(one.map(alertSummary), [{ src_addr: name === 'port scan' ? '192.0.2.66' : '192.0.2.99', kind: 'scan' }], JSON.stringify(one));
    for (const n of ['2', '3']) {
      const many = alertsOf(n);
      assert.deepEqual(many.map(alertSummary), one.map(alertSummary), `${name}: -n ${n}`);
      for (const a of many) assert.ok(a.triggers?.every((t) => ['port-scan', 'host-sweep', 'failed-connections'].includes(t)), JSON.stringify(a));
    }
  }
});

// ---- a failing worker ------------------------------------------------------------

/** The worker (0-based, of n) of a record: by its address pair, as the dispatcher places its packets. */
function workerOfRecord(r: FlowRecord, n: number): number {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeInt32BE(v4Word(r.src_addr), 12);
  ip.writeInt32BE(v4Word(r.dst_addr), 16);
  return ((addressPairHash(ip, 0, 20) >>> 16) * n) >>> 16;
}

test('a worker that fails: one line naming it, exit 1, and the other worker\'s flows are all written', () => {
  const one = parseJsonl(run(['-r', SWEEP, '-q']).stdout);
  const kept = one.filter((r) => workerOfRecord(r, 2) === 0);
  assert.ok(kept.length > 20 && kept.length < one.length - 20, 'the flows are spread over both workers');
  for (const kind of ['throw', 'exit']) {
    const r = run(['-r', SWEEP, '-n', '2'], { FLOWTAP_WORKER_FAULT: `2:10:${kind}` });
    assert.equal(r.code, 1, r.stderr);
    const failures = r.stderr.split('\n').filter((l) => /worker/.test(l));
    assert.equal(failures.length, 1, r.stderr);
    if (kind === 'throw') assert.match(failures[0], /^flowtap: worker 2 of 2 failed: injected fault after 10 packets \(at .*\); stopping: the flows of the other workers are exported$/);
    else assert.match(failures[0], /^flowtap: worker 2 of 2 failed: its thread ended \(exit code 70\) before the end of input; stopping: the flows of the other workers are exported$/);
    const stopped = parseJsonl(r.stdout);
    assert.ok(stopped.every((x) => workerOfRecord(x, 2) === 0), 'only the working worker\'s records');
    // The input stops at the failure: the flows the working worker held then are all written (as end_of_input).
    const byKey = new Set(stopped.map((x) => `${x.src_addr} ${x.src_port} ${x.dst_addr} ${x.dst_port} ${x.first_switched_ms}`));
    const expected = kept.filter((x) => x.first_switched_ms <= Math.max(...stopped.map((s) => s.last_switched_ms)));
    assert.ok(expected.length > 0);
    for (const x of expected) assert.ok(byKey.has(`${x.src_addr} ${x.src_port} ${x.dst_addr} ${x.dst_port} ${x.first_switched_ms}`), `the flow ${x.src_addr}:${x.src_port} -> ${x.dst_addr}:${x.dst_port} was written`);
  }
});

// ---- SIGHUP --------------------------------------------------------------------

const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

test('SIGHUP with -n 2 reloads the lists in every worker: later flows on either worker get the new label', async () => {
  const dir = fresh('workers-sighup');
  const lists = join(dir, 'lists');
  mkdirSync(lists);
  writeFileSync(join(lists, 'test.ips'), '198.51.100.0/24 Spotify\n');
  // Destinations in the list's range placed on worker 0 and on worker 1.
  const byWorker: string[][] = [[], []];
  for (let i = 1; i < 250 && (byWorker[0].length < 2 || byWorker[1].length < 2); i++) {
    const d = `198.51.100.${i}`;
    byWorker[workerOfRecord({ src_addr: '10.0.0.1', dst_addr: d } as FlowRecord, 2)].push(d);
  }
  const [before0, after0] = byWorker[0];
  const [before1, after1] = byWorker[1];
  const out = join(dir, 'flows.jsonl');
  const proc = spawn(process.execPath, [CLI, '-r', '-', '-w', out, '--lists', lists, '--timeout', 'udp=10', '-n', '2'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  proc.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const packet = (sec: number, dst: string, port: number): Buffer =>
    pcapRecord({ sec, frac: 0, data: ethIpv4({ src: '10.0.0.1', dst, proto: 17, data: udp(port, port + 1, Buffer.from('flowtap-test')) }) });
  const written = (): FlowRecord[] => (existsSync(out) ? parseJsonl(readFileSync(out, 'utf8')) : []);
  try {
    proc.stdin.write(pcapHeader());
    proc.stdin.write(Buffer.concat([packet(T0, before0, 40001), packet(T0, before1, 40003)]));
    // A packet 30 s later moves the packet clock: both flows end (idle) and are written.
    proc.stdin.write(packet(T0 + 30, '192.0.2.9', 40009));
    await until(() => written().filter((r) => r.dst_addr === before0 || r.dst_addr === before1).length === 2, `the first flows in ${out} (${err})`);
    writeFileSync(join(lists, 'test.ips'), '198.51.100.0/24 Twitch\n');
    proc.kill('SIGHUP');
    await until(() => /SIGHUP: reloaded the lists/.test(err), `the reload message (${err})`);
    proc.stdin.write(Buffer.concat([packet(T0 + 31, after0, 40005), packet(T0 + 31, after1, 40007)]));
    proc.stdin.end();
    assert.equal(await exited, 0, err);
    const label = (d: string): string | undefined => written().find((r) => r.dst_addr === d)?.protocol_name;
    assert.equal(label(before0), 'Spotify');
    assert.equal(label(before1), 'Spotify');
    assert.equal(label(after0), 'Twitch', 'worker 1 uses the new lists');
    assert.equal(label(after1), 'Twitch', 'worker 2 uses the new lists');
    assert.equal(err.split('\n').filter((l) => /SIGHUP/.test(l)).length, 1, err);
  } finally {
    proc.kill('SIGKILL');
  }
});
