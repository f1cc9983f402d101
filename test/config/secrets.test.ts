/**
 * Secrets: ${env:NAME} and ${file:/path} references, the *_file keys, TLS
 * private keys; errors name the variable or the path but never the value,
 * and no view of a loaded configuration (redacted(), JSON, YAML, inspect,
 * String) shows a secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { configToYaml } from '../../src/config/load';
import { resolveRefs, Secret } from '../../src/config/secrets';
import type { ClickHouseOutput, ElasticsearchOutput, FluentdOutput } from '../../src/config/types';
import { load, PEM_CERT, PEM_KEY, PEM_KEY_BODY, problem, problems, tempDir, writeFiles } from './helpers';

const PW = 'Tr0ub4dor&3-env';
const FILE_PW = 'c0rrect-h0rse-file';
const INLINE_PW = 'inline-Pa55word!';
const SHARED = 'sh4red-KEY-xyz';

test('${env:NAME} and ${file:path}: values substituted, trailing newline of the file removed', () => {
  const dir = tempDir();
  writeFiles(dir, { 'secrets/ch.pw': `${FILE_PW}\r\n\n` });
  const c = load([
    'outputs:',
    '  clickhouse: { url: "${env:CH_URL}", username: "${env:CH_USER}", password: "${file:secrets/ch.pw}" }',
  ].join('\n'), { baseDir: dir, env: { CH_URL: 'http://ch:8123', CH_USER: 'flowtap' } });
  const ch = c.outputs[0] as ClickHouseOutput;
  assert.equal(ch.url, 'http://ch:8123');
  assert.equal(ch.username, 'flowtap');
  assert.equal(ch.password?.reveal(), FILE_PW);
  assert.deepEqual(ch.password?.origin, { kind: 'file', path: join(dir, 'secrets/ch.pw') });
  const port = load('outputs: { fluentd: { host: h, port: "${env:P}" } }', { env: { P: '24225' } });
  assert.equal((port.outputs[0] as FluentdOutput).port, 24225, 'numbers from the environment are numbers');
});

test('references inside a longer string, and $${ for a literal ${', () => {
  assert.deepEqual(resolveRefs('a-${env:X}-b', { X: 'mid' }, '/'), { value: 'a-mid-b', origin: { kind: 'inline' }, refs: 1 });
  assert.deepEqual(resolveRefs('$${env:X}', { X: 'mid' }, '/'), { value: '${env:X}', origin: { kind: 'inline' }, refs: 0 });
  assert.deepEqual(resolveRefs('${env:X}', { X: 'v' }, '/'), { value: 'v', origin: { kind: 'env', name: 'X' }, refs: 1 });
  assert.deepEqual(resolveRefs('${env:X}${env:X}', { X: 'v' }, '/'), { value: 'vv', origin: { kind: 'inline' }, refs: 2 });
  assert.deepEqual(resolveRefs('no refs $ {}', {}, '/'), { value: 'no refs $ {}', origin: { kind: 'inline' }, refs: 0 });
  assert.equal(problem('workers: "$${x}"'), 'flowtap.yaml:1:10: workers: expected a whole number 1-64, got "$${x}"', 'the text as written');
});

test('a missing variable or unreadable file is named; the text around the reference is not echoed', () => {
  const dir = tempDir();
  assert.equal(
    problem('outputs:\n  fluentd: { host: h, shared_key: "${env:FLUENT_KEY}" }', { baseDir: dir }),
    'flowtap.yaml:2:35: outputs.fluentd.shared_key: environment variable FLUENT_KEY is not set',
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: h, shared_key: "${file:/nonexistent/key}" }', { baseDir: dir }),
    'flowtap.yaml:2:35: outputs.fluentd.shared_key: cannot read /nonexistent/key: no such file',
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: h, shared_key: "${file:.}" }', { baseDir: dir }),
    `flowtap.yaml:2:35: outputs.fluentd.shared_key: cannot read ${dir}: not a regular file`,
  );
  const secretish = 'Sup3r${secret';
  const line = problem(`outputs:\n  fluentd: { host: h, shared_key: "${secretish}" }`);
  assert.equal(line, 'flowtap.yaml:2:35: outputs.fluentd.shared_key: unterminated ${ (write $${ for a literal ${)');
  const line2 = problem('outputs:\n  fluentd: { host: h, shared_key: "pa${word}ss" }');
  assert.equal(line2, 'flowtap.yaml:2:35: outputs.fluentd.shared_key: unknown reference: use ${env:NAME} or ${file:/path} (and $${ for a literal ${)');
  assert.equal(problem('input: { filter: "${env:toString}" }'), 'flowtap.yaml:1:18: input.filter: environment variable toString is not set');
  assert.equal(problem('input: { filter: "${env:1X}" }'), 'flowtap.yaml:1:18: input.filter: ${env:NAME}: NAME must be letters, digits and _ (not starting with a digit)');
});

test('a referenced value given to the wrong key is named by its reference, not shown', () => {
  const env = { API_KEY: SHARED };
  assert.equal(problem('workers: "${env:API_KEY}"', { env }), 'flowtap.yaml:1:10: workers: expected a whole number 1-64, got the value of ${env:API_KEY}');
  assert.equal(
    problem('outputs: { fluentd: { host: "h-${env:API_KEY}-x", encoding: "${env:API_KEY}" } }', { env }),
    'flowtap.yaml:1:61: outputs.fluentd.encoding: expected one of msgpack, json, got the value of ${env:API_KEY}',
  );
  assert.equal(problem('dpi: { lists: "${env:API_KEY}" }', { env }), 'flowtap.yaml:1:15: dpi.lists: the value of ${env:API_KEY}: no such directory');
  assert.equal(
    problem('outputs: { fluentd: { host: h, shared_key_file: "${env:API_KEY}" } }', { env }),
    'flowtap.yaml:1:49: outputs.fluentd.shared_key_file: cannot read the value of ${env:API_KEY}: no such file',
  );
  assert.equal(
    problem('outputs: { elasticsearch: { url: "${env:API_KEY}" } }', { env }),
    'flowtap.yaml:1:34: outputs.elasticsearch.url: expected an http:// or https:// URL, got the value of ${env:API_KEY}',
  );
  assert.equal(problem('workers: "1${env:API_KEY}"', { env }), 'flowtap.yaml:1:10: workers: expected a whole number 1-64, got "1${env:API_KEY}" (with its references replaced)');
});

test('*_file keys: password_file, api_key_file, shared_key_file; one way per secret', () => {
  const dir = tempDir();
  writeFiles(dir, { 'pw': `${FILE_PW}\n`, 'key': `${SHARED}\n`, 'api': 'API-KEY-123\n' });
  const c = load([
    'outputs:',
    '  fluentd: { host: h, shared_key_file: key, username: u, password_file: pw }',
    '  elasticsearch: { url: "https://es:9200", api_key_file: api }',
  ].join('\n'), { baseDir: dir });
  const [fd, es] = c.outputs as [FluentdOutput, ElasticsearchOutput];
  assert.equal(fd.sharedKey?.reveal(), SHARED);
  assert.equal(fd.password?.reveal(), FILE_PW);
  assert.equal(es.apiKey?.reveal(), 'API-KEY-123');
  assert.equal(
    problem('outputs:\n  elasticsearch: { url: "https://es:9200", username: u, password: p, password_file: pw }', { baseDir: dir }),
    'flowtap.yaml:2:70: outputs.elasticsearch.password_file: cannot be used together with password (give the password one way)',
  );
  assert.equal(
    problem('outputs:\n  elasticsearch: { url: "https://es:9200", username: u, api_key_file: api }', { baseDir: dir }),
    'flowtap.yaml:2:57: outputs.elasticsearch.api_key_file: cannot be used together with username (log in with an API key or with username and password, not both)',
  );
  assert.equal(
    problem('outputs:\n  fluentd: { host: h, shared_key_file: nothere }', { baseDir: dir }),
    `flowtap.yaml:2:40: outputs.fluentd.shared_key_file: cannot read ${join(dir, 'nothere')}: no such file`,
  );
});

test('numbers as passwords keep their text (0123 stays "0123")', () => {
  const c = load('outputs:\n  elasticsearch: { url: "https://es:9200", username: 42, password: 0123 }');
  const es = c.outputs[0] as ElasticsearchOutput;
  assert.equal(es.password?.reveal(), '0123');
  assert.equal(es.username, '42');
});

test('TLS private keys: read from a path or given inline; never printed', () => {
  const dir = tempDir();
  writeFiles(dir, { 'client.pem': PEM_CERT, 'client.key': PEM_KEY });
  const c = load('outputs:\n  fluentd: { host: h, tls: { cert: client.pem, key: client.key } }', { baseDir: dir });
  const tls = (c.outputs[0] as FluentdOutput).tls;
  assert.equal(tls?.key?.reveal().toString(), PEM_KEY);
  assert.equal(tls?.cert?.data.toString(), PEM_CERT);
  const inline = load(`outputs:\n  fluentd:\n    host: h\n    tls:\n      cert: client.pem\n      key: |\n${PEM_KEY.split('\n').map((l) => `        ${l}`).join('\n')}`, { baseDir: dir });
  const key = (inline.outputs[0] as FluentdOutput).tls?.key;
  assert.ok(key instanceof Secret);
  assert.match(key.reveal().toString(), /BEGIN PRIVATE KEY/);
  for (const view of [configToYaml(inline), JSON.stringify(inline), inspect(inline, { depth: 10 }), inspect(inline.outputs, { depth: 10 })]) {
    assert.ok(!view.includes(PEM_KEY_BODY), `no key material in:\n${view}`);
  }
  assert.match(configToYaml(inline), /key: <secret>/);
  assert.match(configToYaml(c), new RegExp(`key: ${join(dir, 'client.key').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 'a key file prints as its path');
  const bad = problem(`outputs:\n  fluentd: { host: h, tls: { cert: client.pem, key: "${PEM_KEY_BODY}" } }`, { baseDir: dir });
  assert.ok(!bad.includes(PEM_KEY_BODY), bad);
  assert.equal(bad, 'flowtap.yaml:2:53: outputs.fluentd.tls.key: expected a PEM file path or PEM text (-----BEGIN ...), got <secret>');
  assert.equal(
    problem('outputs:\n  fluentd: { host: h, tls: { cert: client.pem, key: keys/gone.key } }', { baseDir: dir }),
    `flowtap.yaml:2:53: outputs.fluentd.tls.key: cannot read ${join(dir, 'keys/gone.key')}: no such file`,
  );
});

test('secrets never appear in messages, whatever the mistake', () => {
  const env = { PW, SHARED };
  const yaml = [
    'outputs:',
    '  fluentd:',
    '    - { host: h, shared_key: "${env:SHARED}", password: "${env:PW}", username: u, port: nope }',
    `    - { host: h2, shared_key: ${SHARED}, password: true, username: u }`,
    `    - { host: h3, shared_key: [${SHARED}], password: { x: ${INLINE_PW} }, username: u }`,
    `    - { host: "bad host", shared_key: "${INLINE_PW}\${", password: "${INLINE_PW}\${nope:x}", username: u }`,
    `  elasticsearch: { url: "https://user:${INLINE_PW}@es:9200", api_key: "${INLINE_PW}", username: u }`,
    `  clickhouse: { url: "http://ch:8123", password: "${INLINE_PW}", password_file: /nonexistent/${'x'} }`,
    `workers: ${INLINE_PW}`,
  ].join('\n');
  const ps = problems(yaml, { env });
  assert.ok(ps.length >= 9, ps.join('\n'));
  const all = ps.join('\n');
  for (const s of [PW, SHARED, INLINE_PW.slice(0, 8)]) {
    if (s === INLINE_PW.slice(0, 8)) {
      assert.equal(all.split(s).length - 1, 1, `the inline password shows up only where it is the (non-secret) workers value:\n${all}`);
    } else {
      assert.ok(!all.includes(s), `secret ${s.slice(0, 3)}... in:\n${all}`);
    }
  }
  assert.ok(ps.includes('flowtap.yaml:4:57: outputs.fluentd[1].password: expected a string, got <secret>'), all);
});

test('redacted(), JSON, YAML and inspect views hide every secret; env/file secrets print as their reference', () => {
  const dir = tempDir();
  writeFiles(dir, { 'pw': `${FILE_PW}\n` });
  const c = load([
    'outputs:',
    '  fluentd: { host: h, shared_key: "${env:SHARED}", username: u, password_file: pw }',
    `  elasticsearch: { url: "https://es:9200", username: u, password: "${INLINE_PW}" }`,
    '  clickhouse: { url: "http://ch:8123", password: "${file:pw}" }',
    'alerts:',
    `  smtp: { user: a, password: "${INLINE_PW}", api_token: "${INLINE_PW}", note: keep }`,
  ].join('\n'), { baseDir: dir, env: { SHARED } });
  const views = [
    JSON.stringify(c.redacted()),
    JSON.stringify(c),
    configToYaml(c),
    inspect(c, { depth: 20 }),
    inspect(c.outputs, { depth: 20 }),
    String((c.outputs[1] as ElasticsearchOutput).password),
    `${(c.outputs[1] as ElasticsearchOutput).password}`,
  ];
  for (const v of views) {
    for (const s of [SHARED, FILE_PW, INLINE_PW]) assert.ok(!v.includes(s), `a secret in:\n${v}`);
  }
  const r = c.redacted() as { outputs: Record<string, Record<string, unknown>>; alerts: { smtp: Record<string, unknown> } };
  assert.equal(r.outputs.fluentd.shared_key, '${env:SHARED}');
  assert.equal(r.outputs.fluentd.password, `\${file:${join(dir, 'pw')}}`);
  assert.equal(r.outputs.elasticsearch.password, '<secret>');
  assert.equal(r.outputs.clickhouse.password, `\${file:${join(dir, 'pw')}}`);
  assert.deepEqual(r.alerts.smtp, { user: 'a', password: '<secret>', api_token: '<secret>', note: 'keep' });
  assert.equal(c.alerts?.smtp && (c.alerts.smtp as Record<string, unknown>).password, INLINE_PW, 'alerts itself is untouched');
});
