/**
 * The service side of `flowtap` (src/cli/service.ts), through the built CLI
 * reading a pcap stream written bit by bit to its standard input (as a
 * live capture delivers it; no root needed):
 *  - SIGHUP reloads the --lists directory: flows ended before it keep the
 *    old label, flows after it get the new one; a list with a mistake keeps
 *    the previous lists, logs one line and the run goes on;
 *  - records reach the -w file about a second after they end, while the run
 *    goes on (not only at exit);
 *  - --metrics-listen serves /metrics (packets, flows, records, per-sink
 *    delivered/errors/pending) and /healthz while running; a bad address is
 *    one usage line, exit 2.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ethIpv4, flowtap, parseJsonl, udp } from './helpers';
import { pcapHeader, pcapRecord } from '../capture/helpers';
import { until } from '../capture/netns';
import type { FlowRecord } from '../../src/flow/record';

const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Child {
  proc: ChildProcessWithoutNullStreams;
  err: () => string;
  out: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  proc.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, err: () => err, out: () => out, exited };
}

const T0 = 1_700_000_000;

/** One UDP packet from 10.0.0.1:sport to dst:dport at capture second `sec`. */
function packet(sec: number, dst: string, sport: number, dport: number): Buffer {
  return pcapRecord({ sec, frac: 0, data: ethIpv4({ src: '10.0.0.1', dst, proto: 17, data: udp(sport, dport, Buffer.from('flowtap-test')) }) });
}

function records(file: string): FlowRecord[] {
  return existsSync(file) ? parseJsonl(readFileSync(file, 'utf8')) : [];
}

function recordTo(file: string, dst: string): FlowRecord | undefined {
  return records(file).find((r) => r.dst_addr === dst);
}

/** Calls refresh() then checks cond() every 100 ms until it holds; throws with `what` after timeoutMs. */
async function poll(refresh: () => Promise<void>, cond: () => boolean, what: () => string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await refresh();
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

test('SIGHUP reloads the lists: later flows get the new label, a broken list keeps the old ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-service-'));
  const lists = join(dir, 'lists');
  mkdirSync(lists);
  writeFileSync(join(lists, 'test.ips'), '198.51.100.0/24 Spotify\n');
  const out = join(dir, 'reload.jsonl');
  const c = start(['-r', '-', '-w', out, '--lists', lists, '--timeout', 'udp=10']);
  try {
    c.proc.stdin.write(pcapHeader());
    // The first flow ends (idle) when a packet 30 s later moves the capture clock.
    c.proc.stdin.write(packet(T0, '198.51.100.1', 40001, 40002));
    c.proc.stdin.write(packet(T0 + 30, '192.0.2.9', 40009, 40010));
    await until(() => recordTo(out, '198.51.100.1') !== undefined, `the first flow's record in ${out} (${c.err()})`);

    writeFileSync(join(lists, 'test.ips'), '198.51.100.0/24 Twitch\n');
    c.proc.kill('SIGHUP');
    await until(() => /SIGHUP: reloaded the lists/.test(c.err()), `the reload message (${c.err()})`);
    c.proc.stdin.write(packet(T0 + 31, '198.51.100.2', 40003, 40004));
    c.proc.stdin.write(packet(T0 + 60, '192.0.2.9', 40009, 40010));
    await until(() => recordTo(out, '198.51.100.2') !== undefined, `the second flow's record (${c.err()})`);

    writeFileSync(join(lists, 'broken.ips'), 'not-an-address Twitch\n');
    c.proc.kill('SIGHUP');
    await until(() => /SIGHUP: the lists were not reloaded/.test(c.err()), `the reload error (${c.err()})`);
    c.proc.stdin.write(packet(T0 + 61, '198.51.100.3', 40005, 40006));
    c.proc.stdin.end();
    assert.equal(await c.exited, 0, c.err());

    assert.equal(recordTo(out, '198.51.100.1')?.protocol_name, 'Spotify');
    assert.equal(recordTo(out, '198.51.100.2')?.protocol_name, 'Twitch');
    assert.equal(recordTo(out, '198.51.100.2')?.confidence, 'ip');
    assert.equal(recordTo(out, '198.51.100.3')?.protocol_name, 'Twitch', 'the broken list did not replace the working one');
    const errLines = c.err().split('\n').filter((l) => /SIGHUP/.test(l));
    assert.equal(errLines.length, 2, c.err());
    assert.match(errLines[0], new RegExp(`^flowtap: SIGHUP: reloaded the lists in ${lists} \\(1 file, 1 entry\\)`));
    assert.match(errLines[1], /^flowtap: SIGHUP: the lists were not reloaded, the previous ones stay in use: .*broken\.ips:1: /);
  } finally {
    c.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP without a lists directory says what it would reload, and the run goes on', async () => {
  const c = start(['-r', '-', '-q']);
  try {
    c.proc.stdin.write(pcapHeader());
    c.proc.stdin.write(packet(T0, '198.51.100.1', 40001, 40002));
    c.proc.stdin.write(packet(T0 + 100, '192.0.2.9', 40009, 40010));
    // Running: the first flow's record is out (standard output is flushed once idle).
    await until(() => c.out().includes('198.51.100.1'), `the first record on standard output (${c.err()})`);
    c.proc.kill('SIGHUP');
    await until(() => /SIGHUP/.test(c.err()), `a SIGHUP message (${c.err()})`);
    c.proc.stdin.end();
    assert.equal(await c.exited, 0, c.err());
    assert.match(c.err(), /^flowtap: warning: SIGHUP: no lists directory to reload \(give one with --lists or dpi\.lists\); the other settings are read at start only \(restart flowtap to change them\)\n$/);
    assert.equal(parseJsonl(c.out()).length, 2);
  } finally {
    c.proc.kill('SIGKILL');
  }
});

test('records reach the -w file while the run goes on; /metrics and /healthz show packets, flows and each sink', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-service-'));
  const out = join(dir, 'live.jsonl');
  const closed = await freePort();
  const c = start([
    '-r', '-', '-w', out, '--timeout', 'udp=10', '--metrics-listen', '127.0.0.1:0',
    '-s', '127.0.0.1', '-p', String(closed), '--spool-dir', join(dir, 'spool'), '--drain-timeout', '0',
  ]);
  try {
    await until(() => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(c.err()), `the metrics address (${c.err()})`);
    const base = /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(c.err())?.[1] as string;
    c.proc.stdin.write(pcapHeader());
    c.proc.stdin.write(packet(T0, '198.51.100.1', 40001, 40002));
    c.proc.stdin.write(packet(T0 + 1, '198.51.100.1', 40001, 40002));
    c.proc.stdin.write(packet(T0 + 30, '192.0.2.9', 40009, 40010));
    await until(() => recordTo(out, '198.51.100.1') !== undefined, `the first record in ${out} before the end (${c.err()})`);

    const sink = `fluentd tcp://127.0.0.1:${closed}`;
    let metrics = '';
    await poll(
      async () => {
        metrics = await (await fetch(`${base}/metrics`)).text();
      },
      () => /flowtap_sink_errors_total\{sink="[^"]+"\} [1-9]/.test(metrics),
      () => `sink errors in /metrics:\n${metrics}`,
    );
    const value = (name: string): number => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(value('flowtap_packets_total'), 3);
    assert.equal(value('flowtap_flows_total'), 2);
    assert.equal(value('flowtap_flows_active'), 1);
    assert.equal(value('flowtap_records_total'), 1);
    assert.equal(value(`flowtap_sink_up{sink="${sink}"}`), 0);
    assert.equal(value(`flowtap_sink_delivered_total{sink="${sink}"}`), 0);
    assert.equal(value(`flowtap_sink_pending_records{sink="${sink}"}`), 1);
    assert.ok(value(`flowtap_sink_lag_seconds{sink="${sink}"}`) >= 0);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; packets: number; sinks: Array<{ name: string; state: string }> };
    assert.equal(health.status, 'degraded');
    assert.equal(health.packets, 3);
    assert.deepEqual(health.sinks.map((s) => s.name), [sink]);

    c.proc.stdin.end();
    assert.equal(await c.exited, 0, c.err());
    assert.equal(records(out).length, 2);
    assert.match(c.err(), new RegExp(`${sink.replace(/[.]/g, '\\.')}: 0 records delivered, 2 kept in `));
  } finally {
    c.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a metrics address that cannot be used is one line and exit 2', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const sample = join(__dirname, '..', '..', '..', 'samples', 'sample.pcap');
    const inUse = flowtap(['-q', '-r', sample, '--metrics-listen', `127.0.0.1:${port}`]);
    assert.equal(inUse.code, 2);
    assert.equal(inUse.stderr, `flowtap: metrics endpoint: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
    assert.equal(inUse.stdout, '');
    const bad = flowtap(['-q', '-r', sample, '--metrics-listen', 'localhost']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "flowtap: --metrics-listen: expected host:port, [v6]:port, :port or a port (e.g. 127.0.0.1:9273), got 'localhost'\n");
  } finally {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  }
});
