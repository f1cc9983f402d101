/**
 * The CLI with a configuration file (`node dist/cli.js -c file.yaml` as a
 * child process): the file's settings are used (inputs and output files
 * relative to the file), flags override them key by key, every mistake of
 * the file (and of its alerts: section) is one line naming file:line:col,
 * secrets never appear in --print-config or in messages, --print-config of
 * the shipped example (with its alerts: section) works and loads back, and
 * the inputs may come from the file or the command line but not from
 * neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { parseAlertsConfig } from '../../src/detect/rules-config';
import { CLI, parseJsonl, ROOT, scratch, type Run, fresh } from './helpers';

const SAMPLE = join(ROOT, 'samples', 'sample.pcap');
const EXAMPLE = join(ROOT, 'config', 'flowtap.example.yaml');

/** Runs the CLI with args and extra environment variables. */
function run(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

test('the file says what to read and where to write; relative paths are relative to the file', () => {
  const dir = fresh('cfg-run');
  copyFileSync(SAMPLE, join(dir, 'sample.pcap'));
  const file = write(dir, 'etc/flowtap.yaml', [
    'input: { read: ../sample.pcap }',
    'outputs:',
    '  file: { path: ../out/flows.jsonl }',
    'log: { stats: json }',
  ].join('\n'));
  mkdirSync(join(dir, 'out'));
  const r = run(['-c', file], {}, scratch());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'the file output replaces standard output');
  const recs = parseJsonl(readFileSync(join(dir, 'out', 'flows.jsonl'), 'utf8'));
  assert.equal(recs.length, 39);
  const stats = JSON.parse(r.stderr.trim()) as { records: number };
  assert.equal(stats.records, 39, 'log.stats: json prints the statistics as JSON');
});

test('flags override the file key by key; what they do not mention comes from the file', () => {
  const dir = fresh('cfg-precedence');
  const file = write(dir, 'f.yaml', [
    'input: { read: a.pcap, filter: "udp", tunnels: false }',
    'flows: { timeouts: { udp: 10, tcp: 50 }, max_flows: 5000 }',
    'outputs:',
    '  stdout: { format: text }',
    '  file: { path: f.jsonl }',
    '  fluentd: { host: fd.example, port: 24300, tag: file.tag }',
    'buffer: { drain_timeout: 5s }',
  ].join('\n'));
  const r = run(['-c', file, '--print-config', '-r', 'b.pcap', '--timeout', 'udp=20', '-p', '24500', '-w', 'cli.jsonl', '--drain-timeout', '7', '--ipfix', 'udp://c:4739']);
  assert.equal(r.code, 0, r.stderr);
  const c = parse(r.stdout) as {
    input: { read: string[]; filter: string; tunnels: boolean };
    flows: { timeouts: Record<string, string>; max_flows: number };
    outputs: Record<string, Record<string, unknown>>;
    buffer: { drain_timeout: string };
  };
  assert.deepEqual(c.input.read, ['b.pcap'], '-r replaces input.read');
  assert.equal(c.input.filter, 'udp', 'the filter stays as in the file');
  assert.equal(c.input.tunnels, false);
  assert.equal(c.flows.timeouts.udp, '20s', '--timeout udp=20 wins');
  assert.equal(c.flows.timeouts.tcp, '50s', 'a timeout the flag does not name stays');
  assert.equal(c.flows.max_flows, 5000);
  assert.deepEqual(Object.keys(c.outputs), ['file', 'fluentd', 'ipfix'], '-w replaces stdout and file outputs; --ipfix adds one');
  assert.equal(c.outputs.file.path, 'cli.jsonl');
  assert.deepEqual([c.outputs.fluentd.host, c.outputs.fluentd.port, c.outputs.fluentd.tag], ['fd.example', 24500, 'file.tag'], '-p changes the file\'s fluentd output (no -s needed)');
  assert.equal(c.outputs.ipfix.name, 'ipfix-cli');
  assert.equal(c.buffer.drain_timeout, '7s');
});

test('a run uses the merged configuration: -w over the file\'s output, --no-dpi over dpi.enabled', () => {
  const dir = fresh('cfg-merged-run');
  const file = write(dir, 'f.yaml', `input: { read: ${JSON.stringify(SAMPLE)} }\noutputs: { file: { path: from-file.jsonl } }\ndpi: { enabled: true }\n`);
  const r = run(['-c', file, '-w', join(dir, 'from-flag.jsonl'), '--no-dpi', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(existsSync(join(dir, 'from-file.jsonl')), false);
  const recs = parseJsonl(readFileSync(join(dir, 'from-flag.jsonl'), 'utf8'));
  assert.equal(recs.length, 39);
  assert.ok(recs.every((x) => x.protocol_name === 'Unknown'), 'DPI off');
});

test('every mistake of the file is one line naming file:line:col and the key; exit 2, nothing run', () => {
  const dir = fresh('cfg-mistakes');
  const file = write(dir, 'bad.yaml', [
    'input: { read: a.pcap }',
    'outputs:',
    '  fluentd:',
    '    host: fd.example',
    '    port: abc',
    '  elasticsearch:',
    '    usename: x',
    'filter: "udp"',
  ].join('\n'));
  const r = run(['-c', file]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.length >= 4, r.stderr);
  for (const l of lines) assert.match(l, new RegExp(`^flowtap: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `), l);
  assert.ok(lines.some((l) => /:5:\d+: outputs\.fluentd\.port: /.test(l)), r.stderr);
  assert.ok(lines.some((l) => /:7:\d+: outputs\.elasticsearch\.usename: unknown key \(did you mean username\?\)/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /outputs\.elasticsearch\.url: /.test(l)), r.stderr);
  assert.ok(lines.some((l) => /:8:1: filter: unknown key \(did you mean input\.filter\?\)/.test(l)), r.stderr);

  const alerts = write(dir, 'alerts.yaml', [
    'input: { read: a.pcap }',
    'alerts:',
    '  window: 2h',
    '  rules:',
    '    - name: bt',
    '      severity: urgent',
    '      match: { application: [Bittorent] }',
  ].join('\n'));
  const a = run(['-c', alerts]);
  assert.equal(a.code, 2);
  const al = a.stderr.trim().split('\n');
  assert.equal(al.length, 3, a.stderr);
  for (const l of al) assert.match(l, /^flowtap: .*alerts\.yaml:\d+:\d+: alerts\./, l);
  assert.match(a.stderr, /alerts\.yaml:3:\d+: alerts\.window: /);
  assert.match(a.stderr, /alerts\.yaml:6:\d+: alerts\.rules\[0\]\.severity: /);
  assert.match(a.stderr, /alerts\.yaml:7:\d+: alerts\.rules\[0\]\.match\.application\[0\]: unknown application 'Bittorent' \(did you mean 'BitTorrent'\?\)/);
});

test('a file that cannot be read, and a bad flag with a file, are one line each', () => {
  const r = run(['-c', join(scratch(), 'no-such.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^flowtap: .*no-such\.yaml: cannot read the configuration file: no such file\n$/);
  const dir = fresh('cfg-two-fluentd');
  const file = write(dir, 'f.yaml', 'input: { read: a.pcap }\noutputs: { fluentd: [{ host: a }, { host: b }] }\n');
  const two = run(['-c', file, '-t', 'x']);
  assert.equal(two.code, 2);
  assert.equal(two.stderr, 'flowtap: -s/-p/-t/-m change one fluentd output, but the configuration file has 2: change them in the file\n');
});

test('secrets never appear: not in --print-config, not in messages', () => {
  const dir = fresh('cfg-secrets');
  const pwFile = write(dir, 'es.pw', 'pw-from-flag-file\n');
  const file = write(dir, 'f.yaml', [
    'input: { read: a.pcap }',
    'outputs:',
    '  fluentd: { host: fd.example, shared_key: "inline-shared-secret", username: u, password: "${env:FT_FLUENT_PW}" }',
    'alerts:',
    '  notify:',
    '    slack: { webhook_url: "https://hooks.slack.com/services/T0/B0/inline-slack-token" }',
    '    webhook: { url: "https://soar.example/hook?token=inline-hook-token", headers: { Authorization: "Bearer inline-header-secret" } }',
    '    email: { host: smtp.example, from: a@example.net, to: b@example.net, user: u, password: "inline-smtp-secret" }',
  ].join('\n'));
  const env = { FT_FLUENT_PW: 'env-fluent-secret', FLOWTAP_ES_PASSWORD: 'unused' };
  const secrets = ['inline-shared-secret', 'env-fluent-secret', 'inline-slack-token', 'inline-hook-token', 'inline-header-secret', 'inline-smtp-secret', 'pw-from-flag-file', 'cli-slack-token'];
  const r = run(['-c', file, '--print-config', '--elasticsearch', 'https://es:9200', '--es-user', 'elastic', '--es-password-file', pwFile, '--slack-webhook', 'https://hooks.slack.com/services/T/B/cli-slack-token'], env);
  assert.equal(r.code, 0, r.stderr);
  for (const s of secrets) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `${s} printed:\n${r.stdout}`);
  assert.match(r.stdout, /password: \$\{env:FT_FLUENT_PW\}/, 'a secret from the environment is shown as its reference');
  assert.ok(r.stdout.includes(`password: \${file:${pwFile}}`), 'a secret from a file is shown as its file');
  assert.match(r.stdout, /shared_key: <secret>/);
  assert.match(r.stdout, /webhook_url: <secret>/);
  assert.match(r.stdout, /Authorization: <secret>/);
  assert.match(r.stdout, /--slack-webhook <secret>/);

  // A mistake next to secrets: the message names the key, not the value.
  const bad = write(dir, 'bad.yaml', 'input: { read: a.pcap }\noutputs:\n  fluentd: { host: fd.example, port: "${env:FT_PORT}", shared_key: "inline-shared-secret" }\n');
  const m = run(['-c', bad], { FT_PORT: 'not-a-port-secret' });
  assert.equal(m.code, 2);
  assert.match(m.stderr, /outputs\.fluentd\.port: /);
  for (const s of ['not-a-port-secret', 'inline-shared-secret']) assert.ok(!m.stderr.includes(s), m.stderr);
});

test('--print-config of the shipped example (with its alerts: section) works through the CLI and loads back the same', () => {
  const dir = fresh('cfg-example');
  copyFileSync(EXAMPLE, join(dir, 'flowtap.yaml'));
  write(dir, 'secrets/clickhouse.password', 'ch-secret-pw\n');
  const env = {
    FLOWTAP_FLUENTD_SHARED_KEY: 'shared-secret-k',
    FLOWTAP_FLUENTD_PASSWORD: 'fluent-secret-pw',
    FLOWTAP_ES_API_KEY: 'es-secret-key',
    FLOWTAP_SLACK_WEBHOOK: 'https://hooks.slack.com/services/T000/B000/slack-secret-token',
    FLOWTAP_SMTP_PASSWORD: 'smtp-secret-pw',
    FLOWTAP_WEBHOOK_AUTH: 'Bearer webhook-secret',
  };
  const r = run(['--print-config', '-c', join(dir, 'flowtap.yaml')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  for (const s of [...Object.values(env), 'ch-secret-pw']) assert.ok(!r.stdout.includes(s), `${s} printed`);
  const printed = parse(r.stdout) as { alerts: { internal_networks: string[]; rules: { name: string }[] } };
  assert.ok(printed.alerts.internal_networks.includes('2001:db8:1::/48'));
  assert.deepEqual(printed.alerts.rules.map((x) => x.name), [
    'bittorrent', 'tor', 'vpn-out', 'remote-access-out', 'remote-control-software', 'db-not-via-bastion',
    'clear-text-credentials', 'malware-indicators', 'paste-and-tunnel-sites',
  ]);

  // The printed configuration, loaded back (same directory, same environment), is the same, alerts
  // included, except the one secret the example writes in the file itself (the webhook URL).
  const hook = 'https://soar.example.net/hooks/flowtap';
  assert.ok(!r.stdout.includes(hook), 'a webhook URL (it may hold a token) is hidden');
  const again = write(dir, 'printed.yaml', r.stdout);
  const original = loadConfig(join(dir, 'flowtap.yaml'), { env });
  const reloaded = loadConfig(again, { env });
  assert.equal(JSON.stringify(reloaded), JSON.stringify(original).replace(hook, '<secret>'));
  const rules = (c: typeof original): string[] => {
    const section = { ...c.alerts };
    delete section.notify;
    return parseAlertsConfig(section, () => undefined, { env, baseDir: dir }).rules.map((x) => x.name);
  };
  assert.deepEqual(rules(reloaded), rules(original));
});

test('the inputs come from the file or the command line; neither is "no input" (exit 2)', () => {
  const dir = fresh('cfg-inputs');
  const file = write(dir, 'f.yaml', 'outputs: { stdout: { format: jsonl } }\n');
  const none = run(['-c', file]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^flowtap: no input: give a capture file with -r <file> .*input\.read.* in the configuration file/);
  const flag = run(['-c', file, '-r', SAMPLE, '-q']);
  assert.equal(flag.code, 0, flag.stderr);
  assert.equal(parseJsonl(flag.stdout).length, 39);
  const printed = run(['--print-config']);
  assert.equal(printed.code, 0, '--print-config needs no input');
  assert.match(printed.stdout, /^input:\n {2}read: \[\]\n/);
});
