/**
 * Loading configuration files: defaults, values and units, and the exact
 * message of every kind of mistake ("file:line:col: key.path: problem"):
 * types, ranges, unknown keys with suggestions, URLs per sink, required and
 * conflicting keys, YAML syntax, aliases; all problems reported together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, configToYaml, defaultConfig, loadConfig, parseConfig } from '../../src/config/load';
import { DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUTS } from '../../src/flow/expiry';
import type { ClickHouseOutput, FluentdOutput } from '../../src/config/types';
import { load, problem, problems, tempDir, writeFiles } from './helpers';

test('defaults: no file gives stdout JSON Lines, documented timeouts and limits', () => {
  const c = defaultConfig();
  assert.deepEqual(c.input, { read: [], interface: [], snaplen: 262144, promiscuous: true, bufferSize: 64 << 20, tunnels: true, strict: false });
  assert.deepEqual(c.dpi, { enabled: true });
  assert.deepEqual(c.flows, { timeouts: { ...DEFAULT_TIMEOUTS }, maxFlows: DEFAULT_MAX_FLOWS });
  assert.equal(c.workers, 1);
  assert.deepEqual(c.outputs, [{ type: 'stdout', name: 'stdout', format: 'jsonl', unknownOnly: false }]);
  assert.deepEqual(c.buffer, { maxSize: 1 << 30, memoryRecords: 50000, drainTimeoutMs: 30000 });
  assert.deepEqual(c.metrics, {});
  assert.deepEqual(c.log, { level: 'info', syslog: false, stats: 'text' });
  assert.equal(c.alerts, undefined);
  assert.equal(c.file, undefined);
});

test('an empty file or one with only comments is the defaults', () => {
  const d = JSON.stringify(defaultConfig());
  assert.equal(JSON.stringify(load('')), d);
  assert.equal(JSON.stringify(load('# nothing yet\n')), d);
  assert.equal(JSON.stringify(load('outputs:\n')), d);
});

test('defaults without a file are exactly an empty file\'s (one schema), and they load no YAML parser', () => {
  const d = defaultConfig();
  for (const text of ['', '# empty\n', '---\n']) {
    const p = parseConfig(text, 'x.yaml');
    assert.deepStrictEqual(d, p, JSON.stringify(text));
    assert.equal(JSON.stringify({ ...d }), JSON.stringify({ ...p }), 'same keys in the same order');
    assert.equal(configToYaml(d), configToYaml(p));
  }
  assert.equal(d.file, undefined);
  assert.equal(d.where(['input']), undefined);
  const code = [
    `const load = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'config', 'load.js'))});`,
    'const d = load.defaultConfig();',
    "const yaml = Object.keys(require.cache).filter((p) => /[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(p)).length;",
    "load.parseConfig('workers: 2\\n', 'x.yaml');",
    "const after = Object.keys(require.cache).filter((p) => /[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(p)).length;",
    'process.stdout.write(JSON.stringify({ workers: d.workers, yaml, after }));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { workers: number; yaml: number; after: number };
  assert.equal(out.workers, 1);
  assert.equal(out.yaml, 0, 'defaultConfig() loads no module of the yaml package');
  assert.ok(out.after > 10, 'parsing a file loads it (the check above would see it)');
});

test('values: units, camelCase names, lists given as one value, paths relative to the file', () => {
  const dir = tempDir();
  const c = load([
    'input:',
    '  read: a.pcap',
    '  interface: [eth0, "br-lan"]',
    '  buffer_size: 8M',
    'flows:',
    '  timeouts: { tcp-opening: 1500ms, udp: 2m, active: 1h30m }',
    '  max_flows: 4096',
    'buffer: { spool_dir: spool, max_size: 500MB, drain_timeout: 250ms }',
    'metrics: { listen: "[::1]:9200" }',
    'outputs:',
    '  file: { path: out/flows.txt, format: text, unknown_only: yes, rotate_size: 64k, rotate_interval: 90 }',
  ].join('\n'), { baseDir: dir });
  assert.deepEqual(c.input.read, [join(dir, 'a.pcap')]);
  assert.deepEqual(c.input.interface, ['eth0', 'br-lan']);
  assert.equal(c.input.bufferSize, 8 * 1024 * 1024);
  assert.deepEqual(c.flows.timeouts, { ...DEFAULT_TIMEOUTS, tcpOpening: 1.5, udp: 120, active: 5400 });
  assert.equal(c.flows.maxFlows, 4096);
  assert.deepEqual(c.buffer, { spoolDir: join(dir, 'spool'), maxSize: 500_000_000, memoryRecords: 50000, drainTimeoutMs: 250 });
  assert.deepEqual(c.metrics.listen, { host: '::1', port: 9200 });
  assert.deepEqual(c.outputs, [{
    type: 'file', name: 'file', path: join(dir, 'out/flows.txt'), format: 'text', unknownOnly: true,
    rotateSize: 65536, rotateIntervalMs: 90_000, keep: 0,
  }]);
  assert.deepEqual(load('input: { read: "-" }').input.read, ['-'], 'standard input stays "-"');
});

test('outputs: several types at once, lists of one type, default names, derived fluentd defaults', () => {
  const c = load([
    'outputs:',
    '  stdout:',
    '  fluentd:',
    '    - host: a.example',
    '    - { host: 192.0.2.1, encoding: json, name: second }',
    '  ipfix: { url: "udp://[2001:db8::1]" }',
    '  netflow9: { url: "udp://nf.example:9995", source_id: 7 }',
  ].join('\n'));
  assert.deepEqual(c.outputs.map((o) => [o.type, o.name]), [
    ['stdout', 'stdout'], ['fluentd', 'fluentd[0]'], ['fluentd', 'second'], ['ipfix', 'ipfix'], ['netflow9', 'netflow9'],
  ]);
  const [, f0, f1, ipfix, nf] = c.outputs;
  assert.deepEqual(f0, {
    type: 'fluentd', name: 'fluentd[0]', host: 'a.example', port: 24224, tag: 'ndpi.flow', encoding: 'msgpack',
    mode: 'packed', ack: true, eventTime: true, keepalive: true,
  });
  assert.equal((f1 as FluentdOutput).mode, 'forward', 'json encoding defaults to forward mode');
  assert.equal((f1 as FluentdOutput).eventTime, false);
  assert.deepEqual(ipfix, { type: 'ipfix', name: 'ipfix', url: 'udp://[2001:db8::1]:4739', observationDomain: 1, mtu: 1400 });
  assert.deepEqual(nf, { type: 'netflow9', name: 'netflow9', url: 'udp://nf.example:9995', sourceId: 7, mtu: 1400 });
});

test('type errors and ranges: one line each, naming file, line:column and key path', () => {
  assert.equal(
    problem('outputs:\n  fluentd:\n    host: fluentd.local\n    port: "abc"\n'),
    'flowtap.yaml:4:11: outputs.fluentd.port: expected a port number 1-65535, got "abc"',
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: f, port: 70000 }\n'),
    'flowtap.yaml:2:29: outputs.fluentd.port: expected a port number 1-65535, got 70000',
  );
  assert.equal(problem('workers: 0'), 'flowtap.yaml:1:10: workers: expected a whole number 1-64, got 0');
  assert.equal(problem('workers: 1.5'), 'flowtap.yaml:1:10: workers: expected a whole number 1-64, got 1.5');
  assert.equal(problem('dpi: { enabled: maybe }'), 'flowtap.yaml:1:17: dpi.enabled: expected true or false, got "maybe"');
  assert.equal(problem('input: { read: { a: 1 } }'), 'flowtap.yaml:1:16: input.read: expected a file path or a list of file paths, got a mapping');
  assert.equal(problem('input:\n  - read'), 'flowtap.yaml:2:3: input: expected a mapping (with read, interface, filter, snaplen, ...), got a list');
  assert.equal(problem('log: { level: verbose }'), 'flowtap.yaml:1:15: log.level: expected one of error, warn, info, debug, got "verbose"');
  assert.equal(
    problem('outputs: { stdout: { format: jsnol } }'),
    'flowtap.yaml:1:30: outputs.stdout.format: expected one of jsonl, text, got "jsnol" (did you mean jsonl?)',
  );
  assert.equal(
    problem('metrics:\n  listen: localhost'),
    'flowtap.yaml:2:11: metrics.listen: expected host:port (e.g. 127.0.0.1:9108, [::1]:9108, :9108 for every address), got "localhost"',
  );
  assert.equal(problem('- input'), 'flowtap.yaml:1:1: expected a mapping of sections (input, dpi, flows, workers, outputs, buffer, metrics, log, alerts)');
  assert.equal(problem('alerts: 3'), 'flowtap.yaml:1:9: alerts: expected a mapping, got 3');
});

test('sizes and durations: units accepted, mistakes and ranges named', () => {
  assert.equal(load('buffer: { max_size: 1GiB }').buffer.maxSize, 2 ** 30);
  assert.equal(load('buffer: { max_size: 64k }').buffer.maxSize, 65536);
  assert.equal(load('buffer: { max_size: 100000 }').buffer.maxSize, 100000);
  assert.equal(load('outputs: { file: { path: f, rotate_size: 1 } }').outputs[0].type, 'file');
  assert.equal(problem('buffer: { max_size: 4096 }'), 'flowtap.yaml:1:21: buffer.max_size: expected a size from 64KiB to 1TiB (e.g. 64MiB, 500MB, 4096), got 4096');
  assert.equal(load('buffer: { drain_timeout: 5m }').buffer.drainTimeoutMs, 300_000);
  assert.equal(load('buffer: { drain_timeout: 12 }').buffer.drainTimeoutMs, 12_000);
  assert.equal(
    problem('buffer: { max_size: 12XB }'),
    'flowtap.yaml:1:21: buffer.max_size: expected a size from 64KiB to 1TiB (e.g. 64MiB, 500MB, 4096), got "12XB"',
  );
  assert.equal(
    problem('input: { buffer_size: 512k }'),
    'flowtap.yaml:1:23: input.buffer_size: expected a size from 1MiB to 2GiB (e.g. 64MiB, 500MB, 4096), got "512k"',
  );
  assert.equal(
    problem('flows:\n  timeouts:\n    tcp: 0s'),
    'flowtap.yaml:3:10: flows.timeouts.tcp: expected a duration from 1s to 7d (e.g. 250ms, 30s, 5m, 1h), got "0s"',
  );
  assert.equal(
    problem('buffer: { drain_timeout: forever }'),
    'flowtap.yaml:1:26: buffer.drain_timeout: expected a duration from 0s to 1d (e.g. 250ms, 30s, 5m, 1h), got "forever"',
  );
});

test('unknown keys: "did you mean" the closest key, or the section the key belongs in', () => {
  assert.equal(problem('input:\n  filtr: tcp'), 'flowtap.yaml:2:3: input.filtr: unknown key (did you mean filter?)');
  assert.equal(problem('flows:\n  timeouts: { tcp_opening: 5 }'), 'flowtap.yaml:2:15: flows.timeouts.tcp_opening: unknown key (did you mean tcp-opening?)');
  assert.equal(problem('filter: "tcp"'), 'flowtap.yaml:1:1: filter: unknown key (did you mean input.filter?)');
  assert.equal(problem('outputs:\n  fluentd: { host: a, prot: 1 }'), 'flowtap.yaml:2:23: outputs.fluentd.prot: unknown key (did you mean port?)');
  assert.equal(problem('log: { constructor: 1 }'), 'flowtap.yaml:1:8: log.constructor: unknown key; known keys: level, syslog, stats');
  assert.equal(problem('outputs: { toString: {} }').split(';')[0], 'flowtap.yaml:1:12: outputs.toString: unknown output type');
  assert.equal(problem('log: { colour: true }'), 'flowtap.yaml:1:8: log.colour: unknown key; known keys: level, syslog, stats');
  assert.equal(problem('input:\n  max_flows: 10'), 'flowtap.yaml:2:3: input.max_flows: unknown key (did you mean flows.max_flows?)');
  assert.equal(
    problem('outputs:\n  fluentdd: { host: a }'),
    'flowtap.yaml:2:3: outputs.fluentdd: unknown output type (did you mean fluentd?); the types are stdout, file, fluentd, elasticsearch, clickhouse, ipfix, netflow9',
  );
  assert.equal(
    problem('outputs:\n  kafka: {}'),
    'flowtap.yaml:2:3: outputs.kafka: unknown output type; the types are stdout, file, fluentd, elasticsearch, clickhouse, ipfix, netflow9',
  );
});

test('URLs: the scheme must fit the sink; credentials belong in username/password', () => {
  assert.equal(
    problem('outputs:\n  elasticsearch: { url: "udp://es:9200" }'),
    'flowtap.yaml:2:25: outputs.elasticsearch.url: expected an http:// or https:// URL, got "udp://es:9200"',
  );
  assert.equal(
    problem('outputs:\n  clickhouse: { url: "not a url" }'),
    'flowtap.yaml:2:22: outputs.clickhouse.url: expected an http:// or https:// URL, got "not a url"',
  );
  assert.equal(
    problem('outputs:\n  ipfix: { url: "http://collector:4739" }'),
    'flowtap.yaml:2:17: outputs.ipfix.url: expected a URL udp://host:port, got "http://collector:4739"',
  );
  assert.equal(
    problem('outputs:\n  netflow9: { url: "udp://collector:2055/x" }'),
    'flowtap.yaml:2:20: outputs.netflow9.url: expected a URL udp://host:port, got "udp://collector:2055/x" (nothing may follow the port)',
  );
  const line = problem('outputs:\n  clickhouse: { url: "https://bob:hunter2@ch:8443" }');
  assert.equal(line, 'flowtap.yaml:2:22: outputs.clickhouse.url: must not contain a user name or password: give them as username and password');
  assert.equal(load('outputs: { elasticsearch: { url: "https://es.example:9200/proxy/" } }').outputs[0].type, 'elasticsearch');
});

test('required keys: one message per missing key, at the mapping that lacks it', () => {
  assert.equal(problem('outputs:\n  fluentd:\n    port: 24225'), 'flowtap.yaml:3:5: outputs.fluentd.host: required (the fluentd server\'s host name or address)');
  assert.equal(problem('outputs:\n  fluentd:'), 'flowtap.yaml:2:3: outputs.fluentd.host: required (the fluentd server\'s host name or address)');
  assert.deepEqual(problems('outputs:\n  elasticsearch: {}\n  clickhouse: {}\n  ipfix: {}\n  netflow9: {}\n  file: {}'), [
    'flowtap.yaml:2:18: outputs.elasticsearch.url: required (the Elasticsearch/OpenSearch address, e.g. https://es.example.net:9200)',
    'flowtap.yaml:3:15: outputs.clickhouse.url: required (ClickHouse\'s HTTP interface, e.g. http://clickhouse:8123)',
    'flowtap.yaml:4:10: outputs.ipfix.url: required (the IPFIX collector, e.g. udp://collector:4739)',
    'flowtap.yaml:5:13: outputs.netflow9.url: required (the NetFlow v9 collector, e.g. udp://collector:2055)',
    'flowtap.yaml:6:9: outputs.file.path: required (the file to write the records to)',
  ]);
  assert.equal(problem('outputs:\n  fluentd:\n    - host: a\n    - port: 1'), 'flowtap.yaml:4:7: outputs.fluentd[1].host: required (the fluentd server\'s host name or address)');
});

test('conflicting and incomplete keys: one message each, at the key to change', () => {
  const es = 'outputs:\n  elasticsearch:\n    url: https://es:9200\n';
  assert.equal(
    problem(`${es}    username: u\n    password: p\n    api_key: k\n`),
    'flowtap.yaml:6:5: outputs.elasticsearch.api_key: cannot be used together with username (log in with an API key or with username and password, not both)',
  );
  assert.equal(problem(`${es}    username: u\n`), 'flowtap.yaml:4:5: outputs.elasticsearch.username: needs password (or password_file) too');
  assert.equal(
    problem('outputs:\n  elasticsearch: { url: "http://es:9200", tls: { verify: false } }'),
    'flowtap.yaml:2:43: outputs.elasticsearch.tls: the url is http://, so these TLS settings would not be used: use an https:// url, or remove tls',
  );
  const fd = 'outputs:\n  fluentd:\n    host: f\n';
  assert.equal(
    problem(`${fd}    encoding: json\n    mode: packed\n`),
    'flowtap.yaml:5:5: outputs.fluentd.mode: packed needs encoding: msgpack (fluentd reads JSON only in message or forward mode)',
  );
  assert.equal(load(`${fd}    encoding: json\n    mode: message\n`).outputs[0].type, 'fluentd');
  assert.equal(
    problem(`${fd}    encoding: json\n    shared_key: k\n`),
    'flowtap.yaml:5:5: outputs.fluentd.shared_key: needs encoding: msgpack (fluentd authenticates only msgpack connections)',
  );
  assert.equal(problem(`${fd}    shared_key: ""\n`), 'flowtap.yaml:4:5: outputs.fluentd.shared_key: must not be empty');
  const ch = 'outputs:\n  clickhouse:\n    url: http://ch:8123/netdb\n';
  assert.equal((load(ch).outputs[0] as ClickHouseOutput).database, 'netdb', 'the URL path names the database');
  assert.equal(
    problem(`${ch}    database: other\n`),
    'flowtap.yaml:4:5: outputs.clickhouse.database: the url names the database already: give it once (database, or the URL path)',
  );
  assert.equal(
    problem('outputs:\n  clickhouse: { url: "http://ch:8123/a/b" }'),
    'flowtap.yaml:2:17: outputs.clickhouse.url: the URL path names the database, and it is not a database name (letters, digits, _)',
  );
  assert.equal(problem(`${fd}    encoding: json\n    event_time: true\n`), 'flowtap.yaml:5:5: outputs.fluentd.event_time: needs encoding: msgpack (EventTime is a msgpack extension)');
  assert.equal(
    problem(`${fd}    username: u\n    password: p\n`),
    "flowtap.yaml:4:5: outputs.fluentd.username: needs shared_key too (fluentd's user authentication is part of the shared-key handshake)",
  );
  assert.equal(problem(`${fd}    shared_key: k\n    password: p\n`), 'flowtap.yaml:5:5: outputs.fluentd.password: needs username too');
  assert.equal(
    problem(`${fd}    self_hostname: me\n`),
    'flowtap.yaml:4:5: outputs.fluentd.self_hostname: is used only in the shared-key handshake: give shared_key too, or remove self_hostname',
  );
  assert.equal(
    problem('outputs:\n  stdout: { unknown_only: true }'),
    'flowtap.yaml:2:13: outputs.stdout.unknown_only: applies to format: text only (set format: text, or remove unknown_only)',
  );
  assert.equal(
    problem('outputs:\n  stdout: {}\n  file: { path: a }\n  fluentd:\n    - { host: a, name: x }\n    - { host: b, name: x }'),
    'flowtap.yaml:6:7: outputs.fluentd[1].name: outputs.fluentd[0] has this name already: names must differ',
  );
  assert.equal(
    problem('outputs:\n  file:\n    - { path: a.jsonl }\n    - { path: ./a.jsonl }', { baseDir: '/srv/ft' }),
    'flowtap.yaml:4:7: outputs.file[1].path: the same file as outputs.file[0]: two outputs cannot write one file',
  );
  assert.equal(problem('outputs:\n  stdout: [{}, {}]'), 'flowtap.yaml:2:16: outputs.stdout[1]: only one stdout output is possible (another one is outputs.stdout[0])');
});

test('TLS: files read, PEM checked, a certificate needs its key', () => {
  const dir = tempDir();
  writeFiles(dir, { 'ca.pem': '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', 'notpem.txt': 'hello\n' });
  const c = load('outputs:\n  fluentd: { host: f, tls: { ca: ca.pem, servername: fd.example } }', { baseDir: dir });
  const tls = (c.outputs[0] as FluentdOutput).tls;
  assert.equal(tls?.ca?.path, join(dir, 'ca.pem'));
  assert.match(tls?.ca?.data.toString() ?? '', /BEGIN CERTIFICATE/);
  assert.equal(tls?.verify, true);
  assert.deepEqual((load('outputs:\n  fluentd: { host: f, tls: }').outputs[0] as FluentdOutput).tls, { verify: true }, 'an empty tls: is TLS with defaults');
  assert.equal(
    problem('outputs:\n  fluentd: { host: f, tls: { ca: missing.pem } }', { baseDir: dir }),
    `flowtap.yaml:2:34: outputs.fluentd.tls.ca: cannot read ${join(dir, 'missing.pem')}: no such file`,
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: f, tls: { ca: notpem.txt } }', { baseDir: dir }),
    `flowtap.yaml:2:34: outputs.fluentd.tls.ca: ${join(dir, 'notpem.txt')} is not a PEM file (no -----BEGIN line)`,
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: f, tls: { cert: ca.pem } }', { baseDir: dir }),
    'flowtap.yaml:2:30: outputs.fluentd.tls.cert: needs key too (a client certificate needs its private key)',
  );
  assert.equal(
    problem('outputs:\n  clickhouse: { url: "https://ch:8443", tls: { cert: ca.pem } }', { baseDir: dir }),
    'flowtap.yaml:2:48: outputs.clickhouse.tls.cert: unknown key; known keys: ca, verify',
  );
});

test('dpi.lists must be an existing directory', () => {
  const dir = tempDir();
  writeFiles(dir, { 'lists/a.hosts': '' });
  assert.equal(load('dpi: { lists: lists }', { baseDir: dir }).dpi.lists, join(dir, 'lists'));
  assert.equal(problem('dpi: { lists: nowhere }', { baseDir: dir }), `flowtap.yaml:1:15: dpi.lists: ${join(dir, 'nowhere')}: no such directory`);
  assert.equal(problem('dpi: { lists: lists/a.hosts }', { baseDir: dir }), `flowtap.yaml:1:15: dpi.lists: ${join(dir, 'lists/a.hosts')} is not a directory`);
});

test('several mistakes are all reported, in file order', () => {
  const ps = problems([
    'input:',
    '  snaplen: 10',
    '  filtr: tcp',
    'workers: 100',
    'outputs:',
    '  fluentd:',
    '    port: "abc"',
    '  elasticsearch: { url: "ftp://x" }',
    'log: { level: loud }',
  ].join('\n'));
  assert.deepEqual(ps, [
    'flowtap.yaml:2:12: input.snaplen: expected a whole number 64-262144, got 10',
    'flowtap.yaml:3:3: input.filtr: unknown key (did you mean filter?)',
    'flowtap.yaml:4:10: workers: expected a whole number 1-64, got 100',
    'flowtap.yaml:7:5: outputs.fluentd.host: required (the fluentd server\'s host name or address)',
    'flowtap.yaml:7:11: outputs.fluentd.port: expected a port number 1-65535, got "abc"',
    'flowtap.yaml:8:25: outputs.elasticsearch.url: expected an http:// or https:// URL, got "ftp://x"',
    'flowtap.yaml:9:15: log.level: expected one of error, warn, info, debug, got "loud"',
  ]);
});

test('YAML syntax errors are problems with a position too', () => {
  assert.equal(problem('workers: 1\nworkers: 2\n'), 'flowtap.yaml:2:1: YAML: Map keys must be unique');
  assert.equal(problem('a: 1\n---\nb: 2\n'), 'flowtap.yaml:2:1: YAML: Source contains multiple documents; please use YAML.parseAllDocuments()');
  assert.equal(problems('input: { read: [a.pcap }')[0], 'flowtap.yaml:1:24: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
  assert.equal(problem('workers: !int 3'), 'flowtap.yaml:1:10: YAML: Unresolved tag: !int');
  assert.equal(problem('outputs:\n  fluentd: { host: f, password: "a\\qb" }'), 'flowtap.yaml:2:35: YAML: invalid escape sequence in a double-quoted string');
});

test('anchors, aliases and << merge keys work; unknown aliases are reported', () => {
  const c = load([
    'alerts:',
    '  shared: &fd { port: 24300, tag: shared.tag }',
    'outputs:',
    '  fluentd:',
    '    - { <<: *fd, host: a }',
    '    - { <<: *fd, host: b, port: 1 }',
  ].join('\n'));
  const [a, b] = c.outputs as FluentdOutput[];
  assert.deepEqual([a.host, a.port, a.tag, b.host, b.port, b.tag], ['a', 24300, 'shared.tag', 'b', 1, 'shared.tag']);
  assert.equal(problem('outputs:\n  fluentd: *nothere'), 'flowtap.yaml:2:12: outputs.fluentd: unknown alias *nothere (an anchor &nothere must come before it)');
});

test('an alias bomb is refused, not expanded', () => {
  const lines = ['alerts:', '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push('input:', `  read: *a8`);
  const ps = problems(lines.join('\n'));
  assert.ok(ps.some((p) => /values \(aliases nested too deeply\?\)|cannot be read/.test(p)), ps.join('\n'));
});

test('alerts: any mapping is passed through untouched, where() locates its keys', () => {
  const c = load('outputs:\n  stdout:\nalerts:\n  rules:\n    - { name: scan, threshold: 100 }\n');
  assert.deepEqual(c.alerts, { rules: [{ name: 'scan', threshold: 100 }] });
  assert.equal(c.where(['alerts', 'rules', 0, 'threshold']), 'flowtap.yaml:5:32');
  assert.equal(c.where(['alerts', 'nothing']), undefined);
});

test('loadConfig: reads the file and names it; a missing file is one problem', () => {
  const dir = tempDir();
  writeFiles(dir, { 'f.yaml': 'workers: 2\ninput: { read: cap.pcap }\n', 'bad.yaml': 'workers: x\n' });
  const c = loadConfig(join(dir, 'f.yaml'), { env: {} });
  assert.equal(c.workers, 2);
  assert.deepEqual(c.input.read, [join(dir, 'cap.pcap')]);
  assert.equal(c.file, join(dir, 'f.yaml'));
  assert.throws(() => loadConfig(join(dir, 'bad.yaml')), (e: unknown) => e instanceof ConfigError && e.message === `${join(dir, 'bad.yaml')}:1:10: workers: expected a whole number 1-64, got "x"`);
  assert.throws(() => loadConfig(join(dir, 'none.yaml')), (e: unknown) => e instanceof ConfigError && e.code === 'E_CONFIG' && e.message === `${join(dir, 'none.yaml')}: cannot read the configuration file: no such file`);
  assert.throws(() => loadConfig(dir), (e: unknown) => e instanceof ConfigError && /is a directory$/.test(e.message));
});
