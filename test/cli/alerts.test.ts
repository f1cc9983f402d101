/**
 * The CLI with alerting (`node dist/cli.js` as a child process): --alerts
 * <file> on the generated 1,000-port SYN scan gives exactly one port-scan
 * alert naming the scanner, and the statistics count it; `--alerts -`
 * shares standard output only when the records go elsewhere; the alert flags
 * adjust the file's alerts: section (and are checked, one line naming the
 * flag); a fluentd output gets the alerts under its tag + ".alert", with
 * raised_at as the event time; alerts off without a section or a flag.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluentServer } from '@fluent-org/logger';
import type { Alert } from '../../src/detect/alert';
import { CLI, parseJsonl, ROOT, scratch, type Run, fresh } from './helpers';

const GEN = join(ROOT, 'test', 'fixtures', 'detect', 'gen-syn-scan.js');
const SCANNER = '192.0.2.66';
let SCAN = '';

before(() => {
  SCAN = join(scratch(), 'syn-scan.pcap');
  const g = spawnSync(process.execPath, [GEN, SCAN], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
});

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function run(args: readonly string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI without blocking this process (a fluentd peer runs here). */
function runAsync(args: readonly string[]): Promise<Run> {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
  cleanups.push(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  return new Promise((resolve) => p.on('close', (code, signal) => {
    clearTimeout(timer);
    resolve({ code, signal, stdout, stderr });
  }));
}

const alertsOf = (text: string): Alert[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Alert);

test('--alerts <file>: the 1,000-port SYN scan gives exactly one port-scan alert naming the scanner; the statistics count it', () => {
  const dir = fresh('alerts-file');
  const file = join(dir, 'alerts.jsonl');
  const r = run(['-r', SCAN, '-w', join(dir, 'flows.jsonl'), '--alerts', file]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = alertsOf(readFileSync(file, 'utf8'));
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  const a = alerts[0];
  assert.equal(a.rule, 'port-scan');
  assert.equal(a.kind, 'scan');
  assert.equal(a.src_addr, SCANNER);
  for (const k of ['severity', 'window_start', 'raised_at'] as const) assert.ok(a[k] !== undefined, k);
  assert.match(r.stderr, /\n {2}alerts: 1 \(port-scan 1\); sources tracked \d+\n {4}file .*alerts\.jsonl: 1 delivered\n/);
  assert.equal(parseJsonl(readFileSync(join(dir, 'flows.jsonl'), 'utf8')).length > 1000, true, 'the flow records are written as usual');

  const json = run(['-r', SCAN, '-w', join(dir, 'flows2.jsonl'), '--alerts', join(dir, 'a2.jsonl'), '--stats-json']);
  assert.equal(json.code, 0, json.stderr);
  const stats = JSON.parse(json.stderr.trim().split('\n').pop() as string) as { alerts: { alerts: Record<string, number>; notifiers: { name: string; delivered: number }[] } };
  assert.deepEqual(stats.alerts.alerts, { 'port-scan': 1 });
  assert.equal(stats.alerts.notifiers[0].delivered, 1);
});

test('--alerts - is refused while the records go to standard output; with -w it carries only the alerts', () => {
  const refused = run(['-r', SCAN, '--alerts', '-']);
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '', 'nothing is run');
  assert.equal(refused.stderr, 'flowtap: --alerts -: the flow records go to standard output too; send them elsewhere with -w <file> (or only to network outputs), or give --alerts a file name\n');
  const text = run(['-r', SCAN, '-v', '2', '--alerts', '-']);
  assert.equal(text.code, 2, 'text lines on standard output count too');

  const dir = fresh('alerts-stdout');
  const ok = run(['-r', SCAN, '-w', join(dir, 'flows.jsonl'), '--alerts', '-', '-q']);
  assert.equal(ok.code, 0, ok.stderr);
  const alerts = alertsOf(ok.stdout);
  assert.deepEqual(alerts.map((a) => [a.rule, a.src_addr]), [['port-scan', SCANNER]]);

  const fromFile = join(dir, 'f.yaml');
  writeFileSync(fromFile, 'alerts:\n  notify:\n    file: { path: "-" }\n');
  const cfg = run(['-c', fromFile, '-r', SCAN]);
  assert.equal(cfg.code, 2);
  assert.match(cfg.stderr, /^flowtap: alerts\.notify\.file: path "-" writes alerts to standard output, where the flow records go too/);
});

test('the alert flags adjust the file\'s alerts: section; without a section or a flag there is no alerting', () => {
  const dir = fresh('alerts-flags');
  const cfg = join(dir, 'f.yaml');
  writeFileSync(cfg, [
    `input: { read: ${JSON.stringify(SCAN)} }`,
    `outputs: { file: { path: flows.jsonl } }`,
    'alerts:',
    '  scans:',
    '    port_scan: { threshold: 5000 }',
    '    failed_connections: false',
    '  notify:',
    '    file: { path: alerts.jsonl }',
  ].join('\n'));
  const quiet = run(['-c', cfg]);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.deepEqual(alertsOf(readFileSync(join(dir, 'alerts.jsonl'), 'utf8')), [], 'the file\'s threshold: no alert (a file path relative to the configuration file)');
  assert.match(quiet.stderr, /alerts: 0; sources tracked/);

  const flagged = run(['-c', cfg, '--scan-threshold', '200']);
  assert.equal(flagged.code, 0, flagged.stderr);
  const alerts = alertsOf(readFileSync(join(dir, 'alerts.jsonl'), 'utf8'));
  assert.deepEqual(alerts.map((a) => [a.rule, a.src_addr]), [['port-scan', SCANNER]], '--scan-threshold wins over the file');

  const off = run(['-r', SCAN, '-w', join(dir, 'none.jsonl')]);
  assert.equal(off.code, 0, off.stderr);
  assert.doesNotMatch(off.stderr, /alerts/, 'no section, no flag: no alerting');

  const counted = run(['-r', SCAN, '-w', join(dir, 'counted.jsonl'), '--scan-threshold', '100']);
  assert.equal(counted.code, 0, counted.stderr);
  assert.match(counted.stderr, /^flowtap: alerts: no destination given, so alerts are only counted in the statistics/m);
  assert.match(counted.stderr, /alerts: 1 \(port-scan 1\)/);
});

test('a bad alert flag is one line naming it (exit 2)', () => {
  const cases: [string[], RegExp][] = [
    [['--scan-threshold', '1'], /^flowtap: --scan-threshold: 1 is out of range \(2-5000\)\n$/],
    [['--sweep-threshold', 'many'], /^flowtap: --sweep-threshold: expected a whole number, got 'many'\n$/],
    [['--alert-window', '2h'], /^flowtap: --alert-window: expected seconds from 1 to 3600/],
    [['--syslog', 'siem.example:514'], /^flowtap: --syslog must look like udp:\/\/host\[:port\] or tcp:\/\/host\[:port\], got 'siem\.example:514'\n$/],
    [['--slack-webhook', 'ftp://hooks.example/secret-part'], /^flowtap: --slack-webhook needs an http:\/\/ or https:\/\/ URL\n$/],
    [['--alert-webhook', 'not a url'], /^flowtap: --alert-webhook needs an http:\/\/ or https:\/\/ URL\n$/],
  ];
  for (const [flags, re] of cases) {
    const r = run(['-r', SCAN, '-w', '/dev/null', ...flags]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /secret-part/);
  }
});

test('with a fluentd output the alerts go to its tag + ".alert", with raised_at as the event time, beside the flows', async () => {
  const srv = new FluentServer({ listenOptions: { port: 0, host: '127.0.0.1' } });
  const entries: { tag: string; time: unknown; record: Record<string, unknown> }[] = [];
  srv.on('entry', (tag: string, time: unknown, record: Record<string, unknown>) => entries.push({ tag, time, record }));
  await srv.listen();
  cleanups.push(() => srv.close());
  const dir = fresh('alerts-fluentd');
  const r = await runAsync(['-r', SCAN, '-s', '127.0.0.1', '-p', String(srv.port), '-t', 'flows.test', '--scan-threshold', '100', '--spool-dir', join(dir, 'spool')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const alerts = entries.filter((e) => e.tag === 'flows.test.alert');
  const flows = entries.filter((e) => e.tag === 'flows.test');
  assert.equal(alerts.length, 1, r.stderr);
  assert.ok(flows.length > 1000);
  const a = alerts[0].record as unknown as Alert;
  assert.equal(a.rule, 'port-scan');
  assert.equal(a.src_addr, SCANNER);
  const t = alerts[0].time as { epoch: number; nano: number };
  assert.equal(t.epoch * 1000 + Math.floor(t.nano / 1e6), a.raised_at);
  assert.match(r.stderr, new RegExp(`\\n {4}fluentd tcp://127\\.0\\.0\\.1:${srv.port} tag flows\\.test\\.alert: 1 alert delivered\\n`));
  assert.doesNotMatch(r.stderr, /no destination given/);
  assert.equal(existsSync(join(dir, 'spool', `fluentd-127.0.0.1-${srv.port}-flows.test.alert`)), true, 'the alert sink has a spool of its own');
});
