/**
 * Option builders: each network output of the configuration becomes exactly
 * the option object its transport takes, with TLS files as Buffers and
 * secrets revealed only there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickHouseOptions, deliveryOf, elasticOptions, forwardOptions, ipfixOptions, sinkSpecsOf } from '../../src/config/sink-options';
import type { ClickHouseOutput, ElasticsearchOutput, FluentdOutput, IpfixOutput, Netflow9Output } from '../../src/config/types';
import { load, PEM_CERT, PEM_KEY, tempDir, writeFiles } from './helpers';

test('fluentd: every ForwardOptions field, TLS Buffers, secrets revealed', () => {
  const dir = tempDir();
  writeFiles(dir, { 'ca.pem': PEM_CERT, 'c.pem': PEM_CERT, 'c.key': PEM_KEY, 'pw': 'pw1\n' });
  const c = load([
    'outputs:',
    '  fluentd:',
    '    host: fd.example',
    '    port: 24225',
    '    tag: a.b',
    '    mode: forward',
    '    ack: false',
    '    tls: { ca: ca.pem, cert: c.pem, key: c.key, servername: other.example }',
    '    shared_key: "${env:K}"',
    '    self_hostname: probe-7',
    '    username: user1',
    '    password_file: pw',
    '    keepalive: false',
  ].join('\n'), { baseDir: dir, env: { K: 'key1' } });
  assert.deepEqual(forwardOptions(c.outputs[0] as FluentdOutput), {
    host: 'fd.example', port: 24225, tag: 'a.b', encoding: 'msgpack', mode: 'forward', ack: false, eventTime: true,
    tls: { ca: Buffer.from(PEM_CERT), cert: Buffer.from(PEM_CERT), key: Buffer.from(PEM_KEY), rejectUnauthorized: true, servername: 'other.example' },
    sharedKey: 'key1', selfHostname: 'probe-7', username: 'user1', password: 'pw1', keepalive: false,
  });
  assert.deepEqual(forwardOptions(load('outputs: { fluentd: { host: h } }').outputs[0] as FluentdOutput), {
    host: 'h', port: 24224, tag: 'ndpi.flow', encoding: 'msgpack', mode: 'packed', ack: true, eventTime: true, keepalive: true,
  });
});

test('elasticsearch: ElasticOptions with API key or user and password', () => {
  const dir = tempDir();
  writeFiles(dir, { 'ca.pem': PEM_CERT });
  const c = load([
    'outputs:',
    '  elasticsearch:',
    '    - { url: "https://es:9200", api_key: abc==, index_prefix: net-flows, install_template: false, tls: { ca: ca.pem, verify: false } }',
    '    - { url: "http://es2:9200", username: elastic, password: changeme }',
  ].join('\n'), { baseDir: dir });
  assert.deepEqual(elasticOptions(c.outputs[0] as ElasticsearchOutput), {
    url: 'https://es:9200', indexPrefix: 'net-flows', apiKey: 'abc==', installTemplate: false, tls: { ca: Buffer.from(PEM_CERT), rejectUnauthorized: false },
  });
  assert.deepEqual(elasticOptions(c.outputs[1] as ElasticsearchOutput), {
    url: 'http://es2:9200', indexPrefix: 'flowtap', username: 'elastic', password: 'changeme', installTemplate: true,
  });
});

test('clickhouse: ClickHouseOptions', () => {
  const c = load('outputs:\n  clickhouse: { url: "https://ch:8443", database: net, table: flows_v1, username: u, password: p, tls: {} }');
  assert.deepEqual(clickHouseOptions(c.outputs[0] as ClickHouseOutput), {
    url: 'https://ch:8443', database: 'net', table: 'flows_v1', username: 'u', password: 'p', tls: { rejectUnauthorized: true }, createTable: true,
  });
});

test('ipfix and netflow9: IpfixOptions with the protocol and its domain/source id', () => {
  const c = load('outputs:\n  ipfix: { url: "udp://10.0.0.1", observation_domain: 42, mtu: 9000 }\n  netflow9: { url: "udp://10.0.0.2:9996", source_id: 7 }');
  assert.deepEqual(ipfixOptions(c.outputs[0] as IpfixOutput), { protocol: 'ipfix', url: 'udp://10.0.0.1:4739', observationDomain: 42, mtu: 9000 });
  assert.deepEqual(ipfixOptions(c.outputs[1] as Netflow9Output), { protocol: 'netflow9', url: 'udp://10.0.0.2:9996', observationDomain: 7, mtu: 1400 });
});

test('sinkSpecsOf: one spec per network output in order; deliveryOf: the buffer settings', () => {
  const c = load([
    'outputs:',
    '  stdout:',
    '  file: { path: /tmp/x.jsonl }',
    '  fluentd: { host: h, shared_key: "${env:K}" }',
    '  clickhouse: { url: "http://ch:8123" }',
    '  netflow9: { url: "udp://nf:9995" }',
    'buffer: { max_size: 2GiB, memory_records: 10 }',
  ].join('\n'), { env: { K: 'key9' } });
  const specs = sinkSpecsOf(c);
  assert.deepEqual(specs.map((s) => s.kind), ['fluentd', 'clickhouse', 'ipfix']);
  assert.deepEqual(specs[0], { kind: 'fluentd', options: forwardOptions(c.outputs[2] as FluentdOutput) });
  assert.equal(specs[0].kind === 'fluentd' && specs[0].options.sharedKey, 'key9');
  assert.deepEqual(specs[2], { kind: 'ipfix', options: { protocol: 'netflow9', url: 'udp://nf:9995', observationDomain: 1, mtu: 1400 } });
  assert.deepEqual(structuredClone(specs), specs, 'plain data: can cross to the export thread');
  assert.deepEqual(deliveryOf(c, '/default/spool'), { spoolRoot: '/default/spool', maxSpoolBytes: 2 ** 31, memoryRecords: 10 });
  assert.equal(deliveryOf(load('buffer: { spool_dir: /s }'), '/d').spoolRoot, '/s');
});
