/**
 * The CLI with network sinks, rotation and signals (`node dist/cli.js` as a
 * child process; @fluent-org/logger's FluentServer as the fluentd peer):
 * -s sends every record (and JSON Lines go to stdout only with -w -), a
 * receiver that is down keeps every record in the spool (exit 0, said in the
 * summary) and the next run delivers them, a full spool drops records
 * (exit 4), SIGTERM while reading stops the input, exports the flows still
 * open and persists everything, a second SIGTERM stops waiting for a silent
 * collector, -w with --rotate-size / --rotate-interval splits the records
 * without losing any. Also the sink specs the flags build (secrets from files
 * and environment variables) and the default spool directory.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { FluentServer } from '@fluent-org/logger';
import { parseArgs } from '../../src/cli/args';
import { defaultSpoolDir } from '../../src/cli/sinks';
import { cliOverrides } from '../../src/cli/overrides';
import { mergeCli } from '../../src/config/cli-merge';
import { defaultConfig } from '../../src/config/load';
import { sinkSpecsOf } from '../../src/config/sink-options';
import type { SinkSpec } from '../../src/export/sinks/spec';
import { rotatedFiles } from '../../src/export/rotating-output';
import { UsageError } from '../../src/util/errors';
import type { FlowRecord } from '../../src/flow/record';
import { pcapFile, PcapRecord } from '../capture/helpers';
import { CLI, ethIpv4, flowtap, parseJsonl, pcap, ROOT, scratch, udp, fresh, usage, many } from './helpers';

const VXLAN = pcap('vxlan.pcap');
const SAMPLE = join(ROOT, 'samples', 'sample.pcap');
const golden = (name: string): string => readFileSync(join(ROOT, 'test', 'fixtures', 'golden', name), 'utf8');

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Child {
  /** Resolves when the process has exited. */
  done: Promise<Result>;
  kill(sig: NodeJS.Signals): void;
  stdin: NodeJS.WritableStream;
  /** Resolves once stderr contains a match of re. */
  waitStderr(re: RegExp): Promise<void>;
}

/** Starts the CLI without blocking this process (the fluentd peers run here). */
function start(args: readonly string[], env: Record<string, string> = {}): Child {
  const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of waiters.splice(0)) {
      if (w.re.test(stderr)) w.resolve();
      else waiters.push(w);
    }
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
  const done = new Promise<Result>((resolve) => {
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  cleanups.push(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  p.stdin.on('error', () => undefined);
  return {
    done,
    kill: (sig) => p.kill(sig),
    stdin: p.stdin,
    waitStderr: (re) => new Promise<void>((resolve, reject) => {
      if (re.test(stderr)) return resolve();
      waiters.push({ re, resolve });
      void done.then((r) => reject(new Error(`exited (${r.code}) before stderr matched ${re}: ${r.stderr}`)));
    }),
  };
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  const c = start(args, env);
  c.stdin.end();
  return c.done;
}

async function fluentServer(port = 0): Promise<{ port: number; records: Record<string, unknown>[]; tags: string[] }> {
  const s = new FluentServer({ listenOptions: { port, host: '127.0.0.1' } });
  const records: Record<string, unknown>[] = [];
  const tags: string[] = [];
  s.on('entry', (tag: string, _time: unknown, record: Record<string, unknown>) => {
    tags.push(tag);
    records.push(record);
  });
  await s.listen();
  cleanups.push(() => s.close());
  return { port: s.port as number, records, tags };
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A fluentd that accepts connections and reads everything, but never acknowledges a chunk. */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('data', () => undefined);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const sock of sockets) sock.destroy();
    s.close(() => resolve());
  }));
  return (s.address() as net.AddressInfo).port;
}

/** The records in a spool directory (every segment, every line). */
function spooled(dir: string): FlowRecord[] {
  if (!existsSync(dir)) return [];
  const out: FlowRecord[] = [];
  for (const sub of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, sub)).filter((n) => n.endsWith('.jsonl')).sort()) out.push(...parseJsonl(readFileSync(join(dir, sub, f), 'utf8')));
  }
  return out;
}

const cid = (r: { community_id?: unknown; flow_id?: unknown; record_seq?: unknown }): string => `${String(r.community_id)}/${String(r.flow_id)}/${String(r.record_seq)}`;

// ---- flags -------------------------------------------------------------------

test('sink flags: each mistake is one UsageError naming the option', () => {
  usage(['-r', 'a', '--fluentd-tls'], /--fluentd-tls needs a fluentd server given with -s/);
  usage(['-r', 'a', '--fluentd-shared-key-file', 'k'], /--fluentd-shared-key-file needs a fluentd server/);
  usage(['-r', 'a', '--elasticsearch', 'es:9200'], /--elasticsearch: 'es:9200' must start with http:\/\/ or https:\/\//);
  usage(['-r', 'a', '--elasticsearch', 'nonsense'], /--elasticsearch: 'nonsense' is not a URL/);
  usage(['-r', 'a', '--elasticsearch', 'https://u:secret@es:9200'], /--elasticsearch: credentials do not go in the URL/);
  usage(['-r', 'a', '--es-user', 'u'], /--es-user needs an Elasticsearch server/);
  usage(['-r', 'a', '--es-api-key-file', 'k'], /--es-api-key-file needs an Elasticsearch server/);
  usage(['-r', 'a', '--clickhouse', 'tcp://ch:9000'], /--clickhouse: .* must start with http:\/\//);
  usage(['-r', 'a', '--clickhouse-user', 'u'], /--clickhouse-user needs a ClickHouse server/);
  usage(['-r', 'a', '--ipfix', 'tcp://c:4739'], /--ipfix: .* must start with udp:\/\//);
  usage(['-r', 'a', '--netflow9', 'udp://c:2055/x'], /--netflow9: 'udp:\/\/c:2055\/x' is not udp:\/\/host:port/);
  usage(['-r', 'a', '--buffer-size', 'lots'], /--buffer-size: expected a size/);
  usage(['-r', 'a', '--buffer-size', '1K'], /--buffer-size: 1K is too small/);
  usage(['-r', 'a', '--drain-timeout', 'soon'], /--drain-timeout: expected seconds/);
  usage(['-r', 'a', '--rotate-size', '1M'], /--rotate-size needs an output file given with -w/);
  usage(['-r', 'a', '-w', '-', '--rotate-interval', '1h'], /--rotate-interval needs an output file/);
  usage(['-r', 'a', '-w', 'f', '--rotate-interval', '10ms'], /--rotate-interval: expected a duration from 1s/);
  usage(['-r', 'a', '-w', 'f', '--rotate-size', '0'], /--rotate-size: the size must be more than 0/);
  usage(['-r', 'a', '-w', 'f', '-v', '2', '--rotate-size', '1M'], /--rotate-size: rotation is for JSON Lines output/);
  usage(['-r', 'a', '-w', 'f', '--rotate-keep', '3'], /--rotate-keep needs --rotate-size or --rotate-interval/);
});

test('sink flags: values, defaults and repeats', () => {
  const o = parseArgs([
    '-r', 'a', '-s', 'h', '--fluentd-tls', '--elasticsearch', 'https://es:9200', '--elasticsearch=http://es2:9200',
    '--ipfix', 'udp://c', '--netflow9', 'c2:9995', '--clickhouse', 'http://ch:8123/db', '--spool-dir', '/s',
    '--buffer-size', '2G', '--drain-timeout', '1m', '-w', 'f', '--rotate-size', '100M', '--rotate-interval', '1h', '--rotate-keep', '24',
  ]);
  assert.deepEqual(o.fluentd, { host: 'h', port: 24224, tag: 'ndpi.flow', mode: 'msgpack', tls: true });
  assert.deepEqual(o.elasticsearch, ['https://es:9200', 'http://es2:9200']);
  assert.deepEqual(o.ipfix, ['udp://c:4739']);
  assert.deepEqual(o.netflow9, ['udp://c2:9995']);
  assert.deepEqual(o.clickhouse, ['http://ch:8123/db']);
  assert.equal(o.spoolDir, '/s');
  assert.equal(o.bufferSize, 2 * 1024 ** 3);
  assert.equal(o.drainTimeoutMs, 60_000);
  assert.deepEqual(o.rotate, { maxBytes: 100 * 1024 ** 2, intervalMs: 3_600_000, keep: 24 });
  assert.equal(parseArgs(['-r', 'a']).drainTimeoutMs, 30_000);
  assert.equal(parseArgs(['-r', 'a', '--drain-timeout', '0']).drainTimeoutMs, 0);
});

/** The sink specs a command line gives (no configuration file). */
function buildSinkSpecs(o: ReturnType<typeof parseArgs>, env: Record<string, string>): SinkSpec[] {
  return sinkSpecsOf(mergeCli(defaultConfig(), cliOverrides(o, env)));
}

test('sink specs: secrets come from files and environment variables, never from flags', () => {
  const dir = fresh('secrets');
  writeFileSync(join(dir, 'key'), 's3cret-key\n');
  writeFileSync(join(dir, 'pw'), 'pw-from-file\n');
  writeFileSync(join(dir, 'empty'), '');
  const o = parseArgs(['-r', 'a', '-s', 'fd', '-p', '24225', '-t', 'x.y', '--fluentd-shared-key-file', join(dir, 'key'),
    '--elasticsearch', 'https://es:9200', '--es-user', 'elastic', '--ipfix', 'udp://c:4739', '--netflow9', 'udp://c:2055', '--clickhouse', 'http://ch:8123']);
  const specs = buildSinkSpecs(o, { FLOWTAP_ES_PASSWORD: 'pw-from-env' });
  assert.deepEqual(specs, [
    { kind: 'fluentd', options: { host: 'fd', port: 24225, tag: 'x.y', encoding: 'msgpack', mode: 'packed', ack: true, eventTime: true, keepalive: true, sharedKey: 's3cret-key' } },
    { kind: 'elasticsearch', options: { url: 'https://es:9200', indexPrefix: 'flowtap', installTemplate: true, username: 'elastic', password: 'pw-from-env' } },
    { kind: 'clickhouse', options: { url: 'http://ch:8123', database: 'default', table: 'flows', createTable: true } },
    { kind: 'ipfix', options: { protocol: 'ipfix', url: 'udp://c:4739', observationDomain: 1, mtu: 1400 } },
    { kind: 'ipfix', options: { protocol: 'netflow9', url: 'udp://c:2055', observationDomain: 1, mtu: 1400 } },
  ]);
  const json = buildSinkSpecs(parseArgs(['-r', 'a', '-s', 'fd', '-m', 'json']), {});
  assert.deepEqual(json[0].options, { host: 'fd', port: 24224, tag: 'ndpi.flow', encoding: 'json', mode: 'forward', ack: true, eventTime: false, keepalive: true });
  const fromEnv = buildSinkSpecs(parseArgs(['-r', 'a', '-s', 'fd']), { FLOWTAP_FLUENTD_SHARED_KEY: 'k2' });
  assert.deepEqual(fromEnv[0].options, { host: 'fd', port: 24224, tag: 'ndpi.flow', encoding: 'msgpack', mode: 'packed', ack: true, eventTime: true, keepalive: true, sharedKey: 'k2' });
  const file = buildSinkSpecs(parseArgs(['-r', 'a', '--elasticsearch', 'http://es', '--es-user', 'u', '--es-password-file', join(dir, 'pw')]), { FLOWTAP_ES_PASSWORD: 'ignored' });
  assert.equal((file[0].options as { password?: string }).password, 'pw-from-file');

  const mistake = (argv: string[], env: Record<string, string>, re: RegExp): void => {
    assert.throws(() => buildSinkSpecs(parseArgs(['-r', 'a', ...argv]), env), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, re);
      assert.doesNotMatch(err.message, /s3cret|pw-from/);
      return true;
    });
  };
  mistake(['-s', 'fd', '--fluentd-shared-key-file', join(dir, 'missing')], {}, /--fluentd-shared-key-file: cannot read .*missing: no such file/);
  mistake(['-s', 'fd', '--fluentd-shared-key-file', join(dir, 'empty')], {}, /--fluentd-shared-key-file: .*empty is empty/);
  mistake(['--elasticsearch', 'http://es', '--es-user', 'u'], {}, /--es-user needs a password: set FLOWTAP_ES_PASSWORD or give --es-password-file/);
  mistake(['--elasticsearch', 'http://es'], { FLOWTAP_ES_PASSWORD: 'pw-from-env' }, /FLOWTAP_ES_PASSWORD needs a user given with --es-user/);
  mistake(['--elasticsearch', 'http://es', '--es-user', 'u', '--es-api-key-file', join(dir, 'key')], { FLOWTAP_ES_PASSWORD: 'x' }, /either --es-user .* or an API key/);
  mistake(['--clickhouse', 'http://ch'], { FLOWTAP_CLICKHOUSE_PASSWORD: 'pw-from-env' }, /FLOWTAP_CLICKHOUSE_PASSWORD needs a user given with --clickhouse-user/);
});

test('the default spool directory: /var/lib for root, else XDG_STATE_HOME, else ~/.local/state', () => {
  assert.equal(defaultSpoolDir({}, 0, '/root'), '/var/lib/flowtap/spool');
  assert.equal(defaultSpoolDir({ XDG_STATE_HOME: '/st' }, 1000, '/home/u'), '/st/flowtap/spool');
  assert.equal(defaultSpoolDir({ XDG_STATE_HOME: 'relative' }, 1000, '/home/u'), '/home/u/.local/state/flowtap/spool');
  assert.equal(defaultSpoolDir({}, 1000, '/home/u'), '/home/u/.local/state/flowtap/spool');
});

test('a bad sink flag from the command line exits 2 with one line', async () => {
  const r = await run(['-r', VXLAN, '--elasticsearch', 'https://elastic:hunter2@es:9200']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^flowtap: --elasticsearch: credentials do not go in the URL/);
  assert.doesNotMatch(r.stderr, /hunter2/);
  const bad = await run(['-r', VXLAN, '-s', '127.0.0.1', '-m', 'json', '--spool-dir', fresh('spool')], { FLOWTAP_FLUENTD_SHARED_KEY: 'hunter2' });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^flowtap: -m json: fluentd authenticates only msgpack connections, and this fluentd output has a shared key\n$/);
  assert.doesNotMatch(bad.stderr, /hunter2/);
});

// ---- fluentd -----------------------------------------------------------------

test('-s: every record reaches fluentd; JSON Lines go to stdout only with -w -; the summary says how many were delivered', async () => {
  const srv = await fluentServer();
  const spool = fresh('spool');
  const r = await run(['-r', SAMPLE, '-s', '127.0.0.1', '-p', String(srv.port), '-t', 'flows.test', '--spool-dir', spool]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'no JSON Lines on stdout with a network sink and no -w');
  const expected = parseJsonl(flowtap(['-q', '-r', SAMPLE]).stdout);
  assert.equal(srv.records.length, expected.length);
  assert.deepEqual(srv.records, expected, 'the records fluentd got are the JSON Lines records, in order');
  assert.ok(srv.tags.every((t) => t === 'flows.test'));
  assert.match(r.stderr, new RegExp(`\\n  fluentd tcp://127\\.0\\.0\\.1:${srv.port}: ${expected.length} records delivered\\n`));

  const both = await run(['-q', '-r', VXLAN, '-s', '127.0.0.1', '-p', String(srv.port), '-w', '-', '--spool-dir', spool]);
  assert.equal(both.code, 0, both.stderr);
  assert.equal(both.stdout, golden('vxlan.jsonl'), '-w - keeps JSON Lines on stdout beside the sink');
  assert.equal(both.stderr, '', '-q: nothing on stderr when everything was delivered');

  const json = await run(['--stats-json', '-r', VXLAN, '-s', '127.0.0.1', '-p', String(srv.port), '--spool-dir', spool]);
  const stats = JSON.parse(json.stderr.trim().split('\n').pop() as string) as { records: number; sinks: { name: string; kind: string; delivered: number; drain: { spooled: number } }[] };
  assert.equal(stats.sinks.length, 1);
  assert.equal(stats.sinks[0].kind, 'fluentd');
  assert.equal(stats.sinks[0].name, `fluentd tcp://127.0.0.1:${srv.port}`);
  assert.equal(stats.sinks[0].delivered, stats.records);
  assert.equal(stats.sinks[0].drain.spooled, 0);
});

test('fluentd down: every record is kept in the spool (exit 0, said in the summary), and the next run delivers them', async () => {
  const port = await closedPort();
  const spool = fresh('spool');
  const out = join(fresh('out'), 'flows.jsonl');
  const r = await run(['-r', SAMPLE, '-s', '127.0.0.1', '-p', String(port), '--spool-dir', spool, '--drain-timeout', '1', '-w', out]);
  assert.equal(r.code, 0, r.stderr);
  const written = parseJsonl(readFileSync(out, 'utf8'));
  const kept = spooled(spool);
  assert.deepEqual(kept.map(cid), written.map(cid), 'the spool holds every record, in order');
  assert.match(r.stderr, new RegExp(`fluentd tcp://127\\.0\\.0\\.1:${port}: 0 records delivered, ${written.length} kept in ${spool}/fluentd-127\\.0\\.0\\.1-${port}-ndpi\\.flow for the next run`));

  const srv = await fluentServer(port);
  const next = await run(['-q', '-r', VXLAN, '-s', '127.0.0.1', '-p', String(port), '--spool-dir', spool]);
  assert.equal(next.code, 0, next.stderr);
  const vx = parseJsonl(golden('vxlan.jsonl'));
  assert.deepEqual(srv.records.map(cid), [...written, ...vx].map(cid), 'the spooled records first, then the new ones');
});

test('a full spool drops records: exit 4 and the summary says how many', async () => {
  const port = await closedPort();
  const spool = fresh('spool');
  const r = await run(['-r', many(), '-s', '127.0.0.1', '-p', String(port), '--spool-dir', spool, '--buffer-size', '64K', '--drain-timeout', '0']);
  assert.equal(r.code, 4, r.stderr);
  const m = /fluentd tcp:\/\/127\.0\.0\.1:\d+: 0 records delivered, ([\d,]+) kept in .* for the next run, ([\d,]+) dropped \(spool full: raise --buffer-size\)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const kept = Number(m[1].replace(/,/g, ''));
  const dropped = Number(m[2].replace(/,/g, ''));
  assert.equal(kept + dropped, 5000);
  assert.equal(spooled(spool).length, kept);
  assert.match(flowtap(['--help']).stdout, /4 a network sink dropped records because its spool was full/);
});

// ---- signals -----------------------------------------------------------------

/** Writes the capture to the child's standard input without ending it; resolves once all of it was taken by the pipe. */
async function feed(c: Child, data: Buffer): Promise<void> {
  for (let off = 0; off < data.length; off += 64 * 1024) {
    const piece = data.subarray(off, off + 64 * 1024);
    await new Promise<void>((resolve, reject) => c.stdin.write(piece, (err) => (err ? reject(err) : resolve())));
  }
}

test('SIGTERM while reading: input stops, the open flows are exported, every record is persisted; exit 0', async () => {
  const port = await closedPort();
  const spool = fresh('spool');
  const out = join(fresh('out'), 'flows.jsonl');
  const c = start(['--stats-json', '-r', '-', '-w', out, '-s', '127.0.0.1', '-p', String(port), '--spool-dir', spool, '--drain-timeout', '1']);
  await feed(c, readFileSync(many()));
  // Standard input stays open: only the signal can end the reading.
  c.kill('SIGTERM');
  const r = await c.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /flowtap: SIGTERM: stopping; exporting the flows still open/);
  assert.match(r.stderr, /flowtap: stopped by SIGTERM: [\d,]+ flows still open were exported/);
  const stats = JSON.parse(r.stderr.trim().split('\n').pop() as string) as { packets: number; records: number; sinks: { drain: { spooled: number } }[] };
  assert.ok(stats.packets > 0);
  const written = parseJsonl(readFileSync(out, 'utf8'));
  assert.equal(written.length, stats.records);
  assert.equal(written.reduce((n, x) => n + x.out_pkts + x.in_pkts, 0), stats.packets, 'every packet read is in an exported record');
  assert.ok(written.every((x) => x.flow_end_reason === 'end_of_input'), 'the flows were still open: exported at the stop');
  assert.deepEqual(spooled(spool).map(cid), written.map(cid), 'every record persisted in the spool');
  assert.equal(stats.sinks[0].drain.spooled, written.length);
});

test('a second SIGTERM stops waiting for a collector that never acknowledges: records go to the spool at once', { timeout: 60_000 }, async () => {
  const port = await silentServer();
  const spool = fresh('spool');
  const c = start(['--stats-json', '-r', '-', '-s', '127.0.0.1', '-p', String(port), '--spool-dir', spool, '--drain-timeout', '600']);
  // Once the pipe took the whole capture, flowtap is reading (and handles signals).
  await feed(c, readFileSync(many()));
  c.kill('SIGTERM');
  await c.waitStderr(/SIGTERM: stopping/);
  c.kill('SIGTERM');
  const r = await c.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /SIGTERM again: keeping what is still pending in the spool and exiting/);
  const stats = JSON.parse(r.stderr.trim().split('\n').pop() as string) as { records: number; sinks: { delivered: number; drain: { spooled: number; dropped: number } }[] };
  assert.equal(stats.sinks[0].delivered, 0);
  assert.equal(stats.sinks[0].drain.dropped, 0);
  assert.equal(stats.sinks[0].drain.spooled, stats.records);
  const kept = spooled(spool);
  assert.equal(kept.length, stats.records);
  assert.equal(new Set(kept.map(cid)).size, stats.records, 'each record once');
});

// ---- rotation ----------------------------------------------------------------

test('-w with --rotate-size: the rotated files and the current one hold every record once, in order', async () => {
  const dir = fresh('rotate');
  const out = join(dir, 'flows.jsonl');
  const r = await run(['-q', '-r', many(), '-w', out, '--rotate-size', '256K']);
  assert.equal(r.code, 0, r.stderr);
  const files = [...rotatedFiles(out), out];
  assert.ok(files.length >= 10, `${files.length} files`);
  const expected = flowtap(['-q', '-r', many()]).stdout;
  assert.equal(files.map((f) => readFileSync(f, 'utf8')).join(''), expected);
  for (const f of files.slice(0, -1)) assert.ok(readFileSync(f).length >= 256 * 1024);
});

test('-w with --rotate-interval: files per second of capture time, named after it; --rotate-keep prunes; a rerun keeps the old file', async () => {
  const dir = fresh('rotate');
  const out = join(dir, 'flows.jsonl');
  const r = await run(['-q', '-r', many(), '-w', out, '--rotate-interval', '1s', '--rotate-keep', '2']);
  assert.equal(r.code, 0, r.stderr);
  // Capture time 1700000000..1700000004 s (2023-11-14T22:13:20Z...): five periods, so four finished files, two kept.
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ['flows.jsonl', 'flows.jsonl.20231114T221322Z', 'flows.jsonl.20231114T221323Z']);
  const recs = (f: string): FlowRecord[] => parseJsonl(readFileSync(join(dir, f), 'utf8'));
  for (const [f, sec] of [['flows.jsonl.20231114T221322Z', 1_700_000_002], ['flows.jsonl.20231114T221323Z', 1_700_000_003], ['flows.jsonl', 1_700_000_004]] as const) {
    const rs = recs(f);
    assert.ok(rs.length > 0 && rs.every((x) => x.last_switched === sec), `${f}: records of second ${sec}`);
  }
  const before = names.reduce((n, f) => n + recs(f).length, 0);
  const again = await run(['-q', '-r', many(), '-w', out, '--rotate-interval', '1s']);
  assert.equal(again.code, 0, again.stderr);
  const after = readdirSync(dir).reduce((n, f) => n + recs(f).length, 0);
  assert.equal(after, before + 5000, 'the current file of the first run was renamed, not overwritten');
});
