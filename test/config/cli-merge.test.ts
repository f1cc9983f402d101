/**
 * Command-line flags over the configuration file (mergeCli): each flag given
 * replaces what the file says about the same thing, everything else comes
 * from the file; the file's configuration object is not changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCli } from '../../src/config/cli-merge';
import { defaultConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secrets';
import type { FileOutput, FluentdOutput, StdoutOutput } from '../../src/config/types';
import { UsageError } from '../../src/util/errors';
import { load, plain } from './helpers';

const FILE = [
  'input: { read: [a.pcap, b.pcap], interface: eth0, filter: "tcp", tunnels: true }',
  'dpi: { enabled: true }',
  'flows: { timeouts: { udp: 10, tcp: 50 }, max_flows: 5000 }',
  'workers: 2',
  'outputs:',
  '  stdout: { format: jsonl }',
  '  file: { path: /var/log/f.jsonl }',
  '  fluentd: { host: fd.example, port: 24300, tag: file.tag, tls: {}, shared_key: k }',
  '  elasticsearch: { url: "https://es:9200" }',
  'buffer: { spool_dir: /srv/spool }',
  'log: { stats: text }',
].join('\n');

test('no flags: the file as it is (a copy)', () => {
  const c = load(FILE, { baseDir: '/etc/flowtap' });
  const m = mergeCli(c, {});
  assert.deepEqual(plain(m), plain(c));
  assert.notEqual(m.outputs, c.outputs);
  assert.equal(JSON.stringify(m), JSON.stringify(c), 'redacted view kept');
  assert.equal(m.where(['workers']), c.where(['workers']));
});

test('inputs, filter, tunnels, DPI, timeouts, limits and workers: the flag wins, the rest stays', () => {
  const c = load(FILE, { baseDir: '/etc/flowtap' });
  const m = mergeCli(c, { inputs: ['x.pcap'], filter: 'udp', tunnels: false, dpi: false, lists: 'mylists', timeouts: { udp: 99 }, maxFlows: 64, workers: 8, strict: true });
  assert.deepEqual(m.input, { ...c.input, read: ['x.pcap'], interface: [], filter: 'udp', tunnels: false, strict: true });
  assert.deepEqual(m.dpi, { enabled: false, lists: 'mylists' });
  assert.deepEqual(m.flows, { timeouts: { ...c.flows.timeouts, udp: 99 }, maxFlows: 64 });
  assert.equal(m.flows.timeouts.tcp, 50, 'a timeout the flag does not name stays as in the file');
  assert.equal(m.workers, 8);
  assert.deepEqual(c.input.read, ['/etc/flowtap/a.pcap', '/etc/flowtap/b.pcap'], 'the file configuration is unchanged');
  assert.equal(c.flows.timeouts.udp, 10);
});

test('-q and --stats-json set log.stats', () => {
  const c = load(FILE);
  assert.equal(mergeCli(c, { quiet: true }).log.stats, 'off');
  assert.equal(mergeCli(c, { statsJson: true }).log.stats, 'json');
  assert.equal(mergeCli(c, { quiet: true, statsJson: true }).log.stats, 'off', '-q wins: nothing printed');
});

test('-w replaces the file\'s stdout and file outputs; network outputs stay', () => {
  const c = load(FILE);
  const m = mergeCli(c, { outFile: 'out.txt', format: 'text', unknownOnly: true });
  assert.deepEqual(m.outputs.map((o) => o.type), ['file', 'fluentd', 'elasticsearch']);
  assert.deepEqual(m.outputs[0], { type: 'file', name: 'file', path: 'out.txt', format: 'text', unknownOnly: true, keep: 0 } satisfies FileOutput);
  const r = mergeCli(c, { outFile: 'o.jsonl', rotate: { size: 1000, intervalMs: 60_000, keep: 3 } }).outputs[0];
  assert.deepEqual(r, { type: 'file', name: 'file', path: 'o.jsonl', format: 'jsonl', unknownOnly: false, keep: 3, rotateSize: 1000, rotateIntervalMs: 60_000 } satisfies FileOutput);
  assert.equal((mergeCli(c, { outFile: 'o.jsonl' }).outputs[0] as FileOutput).format, 'jsonl');
});

test('--format and -v change the stdout output (adding one when the file has none)', () => {
  const c = load(FILE);
  const m = mergeCli(c, { format: 'text', unknownOnly: true });
  assert.deepEqual(m.outputs[0], { type: 'stdout', name: 'stdout', format: 'text', unknownOnly: true } satisfies StdoutOutput);
  assert.equal(m.outputs.length, c.outputs.length);
  const noStdout = load('outputs: { fluentd: { host: f } }');
  const added = mergeCli(noStdout, { format: 'text', unknownOnly: false });
  assert.deepEqual(added.outputs.map((o) => o.type), ['stdout', 'fluentd']);
  assert.equal((mergeCli(c, { format: 'jsonl', unknownOnly: true }).outputs[0] as StdoutOutput).unknownOnly, false, 'unknown-only is a text-format setting');
});

test('-s/-p/-t/-m change the file\'s fluentd output, keeping its TLS and shared key', () => {
  const c = load(FILE);
  const m = mergeCli(c, { fluentd: { port: 24999, tag: 'cli.tag', sharedKey: new Secret('k2', { kind: 'inline' }) } });
  const fd = m.outputs.find((o) => o.type === 'fluentd') as FluentdOutput;
  assert.deepEqual([fd.host, fd.port, fd.tag, fd.encoding, fd.mode, fd.eventTime], ['fd.example', 24999, 'cli.tag', 'msgpack', 'packed', true]);
  assert.deepEqual(fd.tls, { verify: true });
  assert.equal(fd.sharedKey?.reveal(), 'k2');
  const orig = c.outputs.find((o) => o.type === 'fluentd') as FluentdOutput;
  assert.equal(orig.port, 24300, 'the file configuration is unchanged');
  assert.equal(orig.sharedKey?.reveal(), 'k');
  const json = mergeCli(load('outputs: { fluentd: { host: h } }'), { fluentd: { encoding: 'json', tls: true } }).outputs[0] as FluentdOutput;
  assert.deepEqual([json.encoding, json.mode, json.eventTime, json.tls], ['json', 'forward', false, { verify: true }]);
});

test('network output flags add outputs beside the file\'s; buffer flags replace the file\'s', () => {
  const c = load(FILE);
  const pw = new Secret('ch-pw', { kind: 'file', path: '/etc/ch.pw' });
  const m = mergeCli(c, {
    elasticsearch: { urls: ['https://es2:9200', 'https://es3:9200'], username: 'u', password: new Secret('p', { kind: 'inline' }) },
    clickhouse: { urls: ['http://ch:8123/netdb'], password: pw },
    ipfix: ['udp://c1:4739'],
    netflow9: ['udp://c2:2055'],
    spoolDir: '/tmp/sp',
    bufferSize: 1 << 20,
    drainTimeoutMs: 5000,
  });
  assert.deepEqual(m.outputs.map((o) => o.name), [
    'stdout', 'file', 'fluentd', 'elasticsearch', 'elasticsearch-cli', 'elasticsearch-cli-2', 'clickhouse-cli', 'ipfix-cli', 'netflow9-cli',
  ]);
  assert.deepEqual(plain(m.outputs[6]), { type: 'clickhouse', name: 'clickhouse-cli', url: 'http://ch:8123/netdb', database: 'netdb', table: 'flows', createTable: true, password: { secret: 'ch-pw' } });
  assert.deepEqual(m.buffer, { spoolDir: '/tmp/sp', maxSize: 1 << 20, memoryRecords: 50000, drainTimeoutMs: 5000 });
  assert.equal(c.buffer.spoolDir, '/srv/spool');
  const printed = JSON.stringify(m);
  assert.ok(!printed.includes('ch-pw') && printed.includes('${file:/etc/ch.pw}'), printed);
});

test('-s without a fluentd output in the file adds one with the defaults', () => {
  const m = mergeCli(load('outputs: { stdout: {} }'), { fluentd: { host: '10.0.0.5', tag: 'x.y' } });
  assert.deepEqual(m.outputs, [
    { type: 'stdout', name: 'stdout', format: 'jsonl', unknownOnly: false },
    { type: 'fluentd', name: 'fluentd', host: '10.0.0.5', port: 24224, tag: 'x.y', encoding: 'msgpack', mode: 'packed', ack: true, eventTime: true, keepalive: true },
  ]);
});

test('network output flags take JSON Lines off standard output when the file names no outputs and no -w is given (as ndff)', () => {
  const types = (c: ReturnType<typeof mergeCli>): string[] => c.outputs.map((o) => `${o.type}${'format' in o ? `:${o.format}` : ''}`);
  assert.deepEqual(types(mergeCli(defaultConfig(), { fluentd: { host: 'h' } })), ['fluentd']);
  assert.deepEqual(types(mergeCli(load('input: { read: a.pcap }'), { ipfix: ['udp://c:4739'] })), ['ipfix']);
  assert.deepEqual(types(mergeCli(defaultConfig(), { fluentd: { host: 'h' }, outFile: '-' })), ['file:jsonl', 'fluentd'], '-w - keeps them');
  assert.deepEqual(types(mergeCli(defaultConfig(), { fluentd: { host: 'h' }, format: 'text' })), ['stdout:text', 'fluentd'], 'text lines are still printed');
  assert.deepEqual(types(mergeCli(load('outputs: { stdout: {} }'), { fluentd: { host: 'h' } })), ['stdout:jsonl', 'fluentd'], 'a stdout output the file names stays');
  assert.deepEqual(types(mergeCli(defaultConfig(), {})), ['stdout:jsonl']);
});

test('fluentd flags that cannot be applied are a UsageError naming the flags', () => {
  assert.throws(() => mergeCli(defaultConfig(), { fluentd: { port: 1 } }), (e: unknown) =>
    e instanceof UsageError && e.code === 'E_USAGE' && e.message === '-p/-t/-m/--fluentd-tls/--fluentd-shared-key-file need a fluentd server: give -s <host> (or a fluentd output in the configuration file)');
  assert.throws(() => mergeCli(load(FILE), { fluentd: { encoding: 'json' } }), (e: unknown) =>
    e instanceof UsageError && e.message === '-m json: fluentd authenticates only msgpack connections, and this fluentd output has a shared key');
  const two = load('outputs: { fluentd: [{ host: a }, { host: b }] }');
  assert.throws(() => mergeCli(two, { fluentd: { host: 'c' } }), (e: unknown) =>
    e instanceof UsageError && e.message === '-s/-p/-t/-m change one fluentd output, but the configuration file has 2: change them in the file');
});
