/**
 * config/flowtap.example.yaml and docs/config.md: the example loads without
 * a problem, its printed form (--print-config) loads back to the same
 * configuration, and every key of the schema is shown in the example and
 * documented in the reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configToYaml, defaultConfig, loadConfig, parseConfig } from '../../src/config/load';
import { allKeyPaths } from '../../src/config/sections';
import type { ElasticsearchOutput, FluentdOutput } from '../../src/config/types';
import { load, plain, tempDir, writeFiles, PEM_CERT, PEM_KEY } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'config', 'flowtap.example.yaml');
const DOCS = join(ROOT, 'docs', 'config.md');
const ENV = { FLOWTAP_FLUENTD_SHARED_KEY: 'shared-k', FLOWTAP_FLUENTD_PASSWORD: 'fluent-pw', FLOWTAP_ES_API_KEY: 'es-api-key' };

function exampleDir(): string {
  const dir = tempDir();
  copyFileSync(EXAMPLE, join(dir, 'flowtap.yaml'));
  writeFiles(dir, { 'secrets/clickhouse.password': 'ch-pw\n' });
  return dir;
}

test('the example configuration loads without a problem', () => {
  const dir = exampleDir();
  const c = loadConfig(join(dir, 'flowtap.yaml'), { env: ENV });
  assert.deepEqual(c.outputs.map((o) => o.name), ['console', 'file', 'fluentd[0]', 'fluentd-json', 'elasticsearch', 'clickhouse', 'ipfix', 'netflow9']);
  const fd = c.outputs[2] as FluentdOutput;
  assert.equal(fd.sharedKey?.reveal(), 'shared-k');
  assert.equal((c.outputs[4] as ElasticsearchOutput).apiKey?.reveal(), 'es-api-key');
  assert.deepEqual(c.input.read, [join(dir, 'captures/sample.pcapng')]);
  assert.deepEqual(c.flows, { ...defaultConfig().flows }, 'the example shows the default timeouts');
  assert.deepEqual(c.metrics.listen, { host: '127.0.0.1', port: 9108 });
});

test('the printed configuration (--print-config) loads back to the same configuration', () => {
  const dir = exampleDir();
  const first = loadConfig(join(dir, 'flowtap.yaml'), { env: ENV });
  const printed = configToYaml(first);
  for (const secret of Object.values(ENV)) assert.ok(!printed.includes(secret), `secret in:\n${printed}`);
  const second = parseConfig(printed, 'printed.yaml', { env: ENV, baseDir: dir });
  assert.deepEqual(plain(second), plain(first));
  assert.equal(configToYaml(second), printed, 'printing is stable');
});

test('round trip with TLS files, inline certificates, lists and every optional key given', () => {
  const dir = tempDir();
  writeFiles(dir, { 'ca.pem': PEM_CERT, 'c.pem': PEM_CERT, 'c.key': PEM_KEY, 'lists/x.hosts': '' });
  const yaml = [
    'input: { read: [a.pcap, "-"], interface: eth0, filter: "udp", snaplen: 1500, promiscuous: false, buffer_size: 3000000, tunnels: false, strict: true }',
    'dpi: { enabled: false, lists: lists }',
    'flows: { timeouts: { tcp: 1.5, active: 1d }, max_flows: 100 }',
    'workers: 4',
    'outputs:',
    '  file: { path: f.txt, format: text, unknown_only: true, rotate_size: 1500, rotate_interval: 36h, keep: 3 }',
    '  fluentd: { host: "::1", tls: { ca: ca.pem, cert: c.pem, key: c.key, verify: false, servername: x.example }, mode: compressed, ack: false, event_time: false, keepalive: false }',
    `  clickhouse: { url: "https://ch:8443", tls: { ca: ${JSON.stringify(PEM_CERT)} }, create_table: false, database: db1, table: t_1 }`,
    'buffer: { spool_dir: /tmp/spool, max_size: 64k, memory_records: 1, drain_timeout: 0 }',
    'metrics: { listen: ":9100" }',
    'log: { level: debug, syslog: true, stats: json }',
    'alerts: { rules: [{ a: 1 }] }',
  ].join('\n');
  const first = load(yaml, { baseDir: dir });
  const second = parseConfig(configToYaml(first), 'printed.yaml', { env: {}, baseDir: dir });
  assert.deepEqual(plain(second), plain(first));
  assert.equal(first.metrics.listen?.host, '0.0.0.0');
});

test('every key of the schema is in the example and in docs/config.md', () => {
  const example = readFileSync(EXAMPLE, 'utf8');
  const docs = readFileSync(DOCS, 'utf8');
  const exampleKeys = new Set([...example.matchAll(/^[ #-]*([a-z0-9_-]+):/gm)].map((m) => m[1]));
  const paths = allKeyPaths();
  assert.ok(paths.length > 90, `${paths.length} key paths`);
  for (const p of paths) {
    const key = p.slice(p.lastIndexOf('.') + 1);
    assert.ok(exampleKeys.has(key), `${p}: "${key}:" is not in config/flowtap.example.yaml`);
    assert.ok(docs.includes(`\`${p}\``), `${p} is not documented in docs/config.md`);
  }
});
