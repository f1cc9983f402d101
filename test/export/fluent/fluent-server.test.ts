/**
 * ForwardTransport against @fluent-org/logger's FluentServer (an independent
 * Forward Protocol v1 server in node): the four carrier modes with chunk
 * acks, EventTime, the shared-key and username/password handshake, and TLS
 * with a self-signed certificate made by openssl.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { FluentServer, type EventTime, type FluentServerOptions } from '@fluent-org/logger';
import { ForwardTransport, type ForwardInit } from '../../../src/export/fluent/forward-transport';
import { SinkError, type SinkErrorCode } from '../../../src/export/sinks/transport';
import type { FlowRecord } from '../../../src/flow/record';
import { opensslMissing, plain, records, selfSigned, type Cert } from './helpers';

interface Entry {
  tag: string;
  time: EventTime | number;
  record: Record<string, unknown>;
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function server(options: FluentServerOptions = {}): Promise<{ port: number; entries: Entry[] }> {
  const s = new FluentServer({ listenOptions: { port: 0, host: '127.0.0.1' }, ...options });
  const entries: Entry[] = [];
  s.on('entry', (tag: string, time: EventTime | number, record: Record<string, unknown>) => entries.push({ tag, time, record }));
  await s.listen();
  cleanups.push(() => s.close());
  return { port: s.port!, entries };
}

function transport(port: number, over: Partial<ForwardInit> = {}): ForwardTransport {
  const t = new ForwardTransport({ host: '127.0.0.1', port, ackTimeoutMs: 10_000, ...over });
  cleanups.push(() => t.close());
  return t;
}

const timeOf = (e: Entry): [number, number] => (typeof e.time === 'number' ? [e.time, 0] : [e.time.epoch, e.time.nano]);
const expectedTime = (r: FlowRecord): [number, number] => [Math.floor(r.last_switched_ms / 1000), (r.last_switched_ms % 1000) * 1e6];

async function rejects(p: Promise<unknown>, code: SinkErrorCode): Promise<SinkError> {
  const e = await p.then(
    () => assert.fail(`expected ${code}, the send succeeded`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SinkError, String(e));
  assert.equal(e.code, code, e.message);
  return e;
}

for (const mode of ['message', 'forward', 'packed', 'compressed'] as const) {
  test(`${mode} mode with acks: FluentServer receives every record with its EventTime, in order`, async () => {
    const srv = await server();
    const t = transport(srv.port, { mode, tag: `flowtap.${mode}` });
    const a = records(25);
    const b = records(7, 100);
    await t.send(a);
    await t.send(b);
    const all = [...a, ...b];
    assert.equal(srv.entries.length, all.length, 'every record is in when send() resolved (acked)');
    assert.deepEqual(srv.entries.map((e) => e.record), all.map(plain));
    assert.deepEqual(srv.entries.map(timeOf), all.map(expectedTime));
    assert.ok(srv.entries.every((e) => e.tag === `flowtap.${mode}`));
  });
}

test('integer-second times reach FluentServer as numbers', async () => {
  const srv = await server();
  const a = records(3);
  await transport(srv.port, { eventTime: false }).send(a);
  assert.deepEqual(srv.entries.map((e) => e.time), a.map((r) => Math.floor(r.last_switched_ms / 1000)));
});

const security = (over: Partial<NonNullable<FluentServerOptions['security']>> = {}): FluentServerOptions['security'] => ({
  serverHostname: 'fluent-server.test',
  sharedKey: 'right-shared-key',
  authorize: false,
  userDict: {},
  ...over,
});

test('shared-key handshake: HELO, PING, PONG with proof, then the records', async () => {
  const srv = await server({ security: security() });
  const t = transport(srv.port, { sharedKey: 'right-shared-key', selfHostname: 'flowtap.test' });
  await t.send(records(5));
  await t.send(records(5, 5));
  assert.equal(srv.entries.length, 10);
});

test('a wrong shared key is E_SINK_AUTH (not retryable) and the message contains neither key', async () => {
  const srv = await server({ security: security() });
  const e = await rejects(transport(srv.port, { sharedKey: 'wrong-shared-key', selfHostname: 'flowtap.test' }).send(records(2)), 'E_SINK_AUTH');
  assert.match(e.message, /^authentication with 127\.0\.0\.1:\d+ failed: the server refused: shared key mismatch$/);
  assert.ok(!e.message.includes('wrong-shared-key') && !e.message.includes('right-shared-key'));
  assert.equal(e.retryable, false);
  assert.equal(srv.entries.length, 0);
});

test('username/password authorization: right password passes, wrong one is E_SINK_AUTH without the password', async () => {
  const srv = await server({ security: security({ authorize: true, userDict: { alice: 'alice-pass' } }) });
  await transport(srv.port, { sharedKey: 'right-shared-key', username: 'alice', password: 'alice-pass' }).send(records(2));
  assert.equal(srv.entries.length, 2);
  const e = await rejects(transport(srv.port, { sharedKey: 'right-shared-key', username: 'alice', password: 'bad-pass' }).send(records(2)), 'E_SINK_AUTH');
  assert.match(e.message, /username\/password mismatch/);
  assert.ok(!e.message.includes('bad-pass') && !e.message.includes('alice-pass'));
  assert.equal(srv.entries.length, 2);
});

const noOpenssl = opensslMissing();

test('TLS: a server certificate signed by the configured CA is trusted, also with a shared key', { skip: noOpenssl ?? false }, async () => {
  const cert: Cert = selfSigned('localhost');
  cleanups.push(() => cert.cleanup());
  const srv = await server({ tlsOptions: { cert: cert.cert, key: cert.key }, security: security() });
  const t = transport(srv.port, { tls: { ca: cert.cert }, sharedKey: 'right-shared-key' });
  assert.equal(t.name, `fluentd tls://127.0.0.1:${srv.port}`);
  await t.send(records(4));
  const byName = transport(srv.port, { host: 'localhost', tls: { ca: cert.cert }, sharedKey: 'right-shared-key' });
  await byName.send(records(4, 4));
  assert.equal(srv.entries.length, 8);
});

test('TLS: an untrusted certificate or the wrong name is E_SINK_TLS naming host:port and the reason', { skip: noOpenssl ?? false }, async () => {
  const cert = selfSigned('localhost');
  const other = selfSigned('localhost');
  cleanups.push(() => cert.cleanup(), () => other.cleanup());
  const srv = await server({ tlsOptions: { cert: cert.cert, key: cert.key } });
  const untrusted = await rejects(transport(srv.port, { tls: {} }).send(records(1)), 'E_SINK_TLS');
  assert.match(untrusted.message, new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${srv.port} failed: self[- ]signed certificate`));
  assert.equal(untrusted.retryable, false);
  await rejects(transport(srv.port, { tls: { ca: other.cert } }).send(records(1)), 'E_SINK_TLS');
  const wrongName = await rejects(transport(srv.port, { tls: { ca: cert.cert, servername: 'elsewhere.example' } }).send(records(1)), 'E_SINK_TLS');
  assert.match(wrongName.message, /elsewhere\.example/);
  await transport(srv.port, { tls: { rejectUnauthorized: false } }).send(records(1));
  assert.equal(srv.entries.length, 1, 'only the unverified-on-purpose send got through');
});
