/**
 * ForwardTransport against peers/receiver.py, an in_forward-like server on
 * Debian's python3-msgpack: msgpack and JSON encodings deliver the same
 * records, every carrier mode is acked, a receiver that never acks times
 * out, a receiver that is down is refused at once, a restarted receiver is
 * reconnected to, keepalive and the handshake behave as fluentd's. The
 * receiver itself is checked against python3-fluent-logger, a standard client.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ForwardTransport, type ForwardInit } from '../../../src/export/fluent/forward-transport';
import { SinkError, type SinkErrorCode } from '../../../src/export/sinks/transport';
import type { FlowRecord } from '../../../src/flow/record';
import { plain, PYTHON, pythonMissing, Receiver, records } from './helpers';

const skip = pythonMissing() ?? false;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function receiver(args: string[] = [], port = 0): Promise<Receiver> {
  const r = await Receiver.start(args, port);
  cleanups.push(() => r.cleanup());
  return r;
}

function transport(port: number, over: Partial<ForwardInit> = {}): ForwardTransport {
  const t = new ForwardTransport({ host: '127.0.0.1', port, ackTimeoutMs: 15_000, ...over });
  cleanups.push(() => t.close());
  return t;
}

async function rejects(p: Promise<unknown>, code: SinkErrorCode, words?: RegExp): Promise<SinkError> {
  const e = await p.then(
    () => assert.fail(`expected ${code}, the send succeeded`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SinkError, String(e));
  assert.equal(e.code, code, e.message);
  if (words) assert.match(e.message, words);
  return e;
}

const seconds = (r: FlowRecord): number => Math.floor(r.last_switched_ms / 1000);

const noFluentLogger = skip !== false ? skip : spawnSync(PYTHON, ['-c', 'import fluent.sender'], { encoding: 'utf8' }).status === 0 ? false : 'python3-fluent-logger is not installed (apt-get install python3-fluent-logger)';

test('the receiver understands a standard client (python3-fluent-logger, Message mode with EventTime)', { skip: noFluentLogger }, async () => {
  const rcv = await receiver();
  const script = [
    'import sys',
    'from fluent import sender',
    `s = sender.FluentSender('ndpi', host='127.0.0.1', port=${rcv.port}, nanosecond_precision=True)`,
    "ok = s.emit_with_time('flow', 1700000000.5, {'src_addr': '10.0.0.1', 'out_bytes': 6000000000})",
    's.close()',
    'sys.exit(0 if ok else 1)',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [ev] = await rcv.waitForEvents(1);
  assert.deepEqual(
    [ev.tag, ev.mode, ev.time, ev.nsec, ev.time_type, ev.record],
    ['ndpi.flow', 'message', 1_700_000_000, 500_000_000, 'EventTime', { src_addr: '10.0.0.1', out_bytes: 6_000_000_000 }],
  );
});

test('msgpack and json encodings deliver the same records (json with integer seconds)', { skip }, async () => {
  const batch = records(40);
  const mp = await receiver();
  await transport(mp.port).send(batch);
  const js = await receiver();
  const tj = transport(js.port, { encoding: 'json' });
  assert.equal(tj.name, `fluentd tcp://127.0.0.1:${js.port} (json)`);
  await tj.send(batch);
  const a = await mp.waitForEvents(40);
  const b = await js.waitForEvents(40);
  assert.deepEqual(a.map((e) => e.record), batch.map(plain));
  assert.deepEqual(b.map((e) => e.record), a.map((e) => e.record));
  assert.ok(a.every((e) => e.encoding === 'msgpack' && e.mode === 'packed' && e.entries_format === 'bin' && e.time_type === 'EventTime' && e.size === 40));
  assert.deepEqual(a.map((e) => [e.time, e.nsec]), batch.map((r) => [seconds(r), (r.last_switched_ms % 1000) * 1e6]));
  assert.ok(b.every((e) => e.encoding === 'json' && e.mode === 'forward' && e.time_type === 'int' && e.size === 40));
  assert.deepEqual(b.map((e) => e.time), batch.map(seconds));
});

test('every carrier mode is acked by the receiver; Message mode sends one chunk per record', { skip }, async () => {
  const rcv = await receiver();
  const cases = [
    { mode: 'message', encoding: 'msgpack' },
    { mode: 'forward', encoding: 'msgpack' },
    { mode: 'packed', encoding: 'msgpack' },
    { mode: 'compressed', encoding: 'msgpack' },
    { mode: 'message', encoding: 'json' },
    { mode: 'forward', encoding: 'json' },
  ] as const;
  let sent = 0;
  for (const c of cases) {
    const t = transport(rcv.port, c);
    await t.send(records(12, sent));
    sent += 12;
  }
  const ev = await rcv.waitForEvents(sent);
  assert.deepEqual(ev.map((e) => e.record), records(sent).map(plain));
  for (const [i, c] of cases.entries()) {
    const mine = ev.slice(i * 12, i * 12 + 12);
    assert.ok(mine.every((e) => e.mode === c.mode && e.encoding === c.encoding), JSON.stringify(c));
    const chunks = new Set(mine.map((e) => e.chunk));
    assert.equal(chunks.size, c.mode === 'message' ? 12 : 1, `${c.mode}/${c.encoding} chunks`);
    assert.ok(mine.every((e) => typeof e.chunk === 'string' && Buffer.from(e.chunk, 'base64').length === 16));
  }
});

test('with acks off nothing asks for an ack, and the records still arrive', { skip }, async () => {
  const rcv = await receiver(['--no-ack']);
  await transport(rcv.port, { ack: false, mode: 'message', eventTime: false }).send(records(5));
  const ev = await rcv.waitForEvents(5);
  assert.ok(ev.every((e) => e.chunk === null && e.time_type === 'int'));
});

test('a receiver that never acks: E_SINK_TIMEOUT after ackTimeoutMs, although the records arrived', { skip }, async () => {
  const rcv = await receiver(['--no-ack']);
  const e = await rejects(transport(rcv.port, { ackTimeoutMs: 500 }).send(records(3)), 'E_SINK_TIMEOUT', /no ack from 127\.0\.0\.1:\d+ within 500 ms for 1 of 1 chunk/);
  assert.equal(e.retryable, true);
  await rcv.waitForEvents(3);
});

test('a receiver that is down: E_SINK_CONNECT with ECONNREFUSED at once (no connect timeout wait)', { skip }, async () => {
  const rcv = await receiver();
  await rcv.stop();
  await rejects(transport(rcv.port, { connectTimeoutMs: 600_000 }).send(records(1)), 'E_SINK_CONNECT', new RegExp(`cannot connect to 127\\.0\\.0\\.1:${rcv.port}: ECONNREFUSED`));
});

test('a restarted receiver: the kept-alive socket is found dead and the next send reconnects', { skip }, async () => {
  const first = await receiver();
  const t = transport(first.port);
  await t.send(records(2));
  await t.send(records(2, 2));
  assert.equal(first.connEvents().filter((e) => e.event === 'connect').length, 1, 'one kept-alive connection');
  await first.stop();
  const second = await receiver([], first.port);
  await t.send(records(3, 4));
  const ev = await second.waitForEvents(3);
  assert.deepEqual(ev.map((e) => e.record), records(3, 4).map(plain));
});

test('keepalive false opens a connection per batch; a server that closes after each message is followed', { skip }, async () => {
  const rcv = await receiver();
  const t = transport(rcv.port, { keepalive: false });
  for (let i = 0; i < 3; i++) await t.send(records(2, i * 2));
  await rcv.waitForEvents(6);
  assert.equal(rcv.connEvents().filter((e) => e.event === 'connect').length, 3);

  const closing = await receiver(['--no-keepalive']);
  const t2 = transport(closing.port);
  for (let i = 0; i < 3; i++) await t2.send(records(2, i * 2));
  const ev = await closing.waitForEvents(6);
  assert.deepEqual(ev.map((e) => e.record), records(6).map(plain));
});

test('shared key and user/password against the Python receiver; HELO keepalive false means a connection per batch', { skip }, async () => {
  const rcv = await receiver(['--shared-key', 'py-shared-key', '--user', 'bob:bob-pass', '--no-keepalive']);
  const t = transport(rcv.port, { sharedKey: 'py-shared-key', username: 'bob', password: 'bob-pass', selfHostname: 'flowtap.test' });
  await t.send(records(3));
  await t.send(records(3, 3));
  const ev = await rcv.waitForEvents(6);
  assert.deepEqual(ev.map((e) => e.record), records(6).map(plain));
  const auths = rcv.connEvents().filter((e) => e.event === 'auth');
  assert.deepEqual(auths.map((a) => a.ok), [true, true]);
  const e = await rejects(transport(rcv.port, { sharedKey: 'py-shared-key', username: 'bob', password: 'nope' }).send(records(1)), 'E_SINK_AUTH', /username\/password mismatch/);
  assert.ok(!e.message.includes('nope') && !e.message.includes('py-shared-key'));
});
