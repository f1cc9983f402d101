/**
 * ForwardTransport against scripted fake servers (node:net): every way a
 * server can misbehave ends a send() with the right SinkError — random or
 * truncated answers (E_SINK_PROTOCOL), a HELO nobody configured a key for,
 * a PONG without proof (E_SINK_AUTH), silence (E_SINK_TIMEOUT), refused or
 * unresolvable addresses (E_SINK_CONNECT), TLS towards plain TCP
 * (E_SINK_TLS) — and retried batches keep their chunk ids.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { Unpackr, Packr } from 'msgpackr';
import { ForwardTransport, type ForwardInit } from '../../../src/export/fluent/forward-transport';
import { SinkError, type SinkErrorCode } from '../../../src/export/sinks/transport';
import { rng } from '../../support/common';
import { freePort, records } from './helpers';

const unpackr = new Unpackr({ useRecords: false });
const packr = new Packr({ useRecords: false, variableMapSize: true });

type Reply = (socket: net.Socket, message: unknown[]) => void;

/** A server that hands each complete client message (msgpack) to reply(). */
async function fakeServer(reply: Reply, onConnect?: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnect?.(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let values: unknown[];
      try {
        values = unpackr.unpackMultiple(buf) as unknown[];
      } catch {
        return; // incomplete: wait for more
      }
      buf = Buffer.alloc(0);
      for (const v of values) reply(socket, v as unknown[]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const chunkOf = (message: unknown[]): string => (message[2] as { chunk: string }).chunk;

async function expectSinkError(p: Promise<unknown>, code: SinkErrorCode, words?: RegExp): Promise<SinkError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SinkError, `a SinkError, not ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (words) assert.match(e.message, words);
    return e;
  }
  assert.fail(`expected ${code}, the send succeeded`);
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function transportFor(reply: Reply, over: Partial<ForwardInit> = {}, onConnect?: (s: net.Socket) => void): Promise<ForwardTransport> {
  const srv = await fakeServer(reply, onConnect);
  const t = new ForwardTransport({ host: '127.0.0.1', port: srv.port, ackTimeoutMs: 5000, connectTimeoutMs: 5000, ...over });
  cleanups.push(async () => {
    await t.close();
    await srv.close();
  });
  return t;
}

test('a correct ack resolves the send (the harness itself works)', async () => {
  const t = await transportFor((s, m) => s.write(packr.pack({ ack: chunkOf(m) })));
  await t.send(records(3));
});

test('random server bytes never throw out of send(): they give E_SINK_PROTOCOL (E_SINK_TLS when they look like a TLS record)', async () => {
  const rand = rng(77);
  let next = Buffer.alloc(0);
  const t = await transportFor((s) => {
    s.end(next);
  });
  for (let i = 0; i < 150; i++) {
    const len = 1 + Math.floor(rand() * 40);
    next = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
    const hex = next.toString('hex');
    const looksTls = len >= 2 && (next[0] === 0x15 || next[0] === 0x16) && next[1] === 0x03;
    const e = await expectSinkError(t.send(records(1, i)), looksTls ? 'E_SINK_TLS' : 'E_SINK_PROTOCOL');
    assert.match(e.message, /127\.0\.0\.1:\d+/, `${hex}: ${e.message}`);
  }
});

test('every truncation of the right ack is E_SINK_PROTOCOL; nothing at all is E_SINK_CONNECT', async () => {
  let cut = 0;
  const t = await transportFor((s, m) => {
    s.end(packr.pack({ ack: chunkOf(m) }).subarray(0, cut));
  });
  const full = packr.pack({ ack: 'x'.repeat(24) }).length;
  for (cut = 1; cut < full; cut++) {
    await expectSinkError(t.send(records(1)), 'E_SINK_PROTOCOL', /closed the connection in the middle of a message/);
  }
  cut = 0;
  await expectSinkError(t.send(records(1)), 'E_SINK_CONNECT', /closed the connection before acknowledging 1 chunk/);
});

test('an ack for another chunk is E_SINK_PROTOCOL', async () => {
  const t = await transportFor((s) => s.write(packr.pack({ ack: 'bm90IHlvdXJzIGF0IGFsbA==' })));
  await expectSinkError(t.send(records(2)), 'E_SINK_PROTOCOL', /ack for a chunk that is not waiting/);
});

test('a server that sends HELO when no shared key is configured is E_SINK_AUTH, asking for the key', async () => {
  const t = await transportFor(() => undefined, {}, (s) => s.write(packr.pack(['HELO', { nonce: Buffer.alloc(16, 1), auth: '', keepalive: true }])));
  const e = await expectSinkError(t.send(records(1)), 'E_SINK_AUTH', /requires shared-key authentication/);
  assert.equal(e.retryable, false);
});

test('a PONG that does not prove the shared key, or reuses our hostname, is E_SINK_AUTH without the key in the message', async () => {
  const helo = packr.pack(['HELO', { nonce: Buffer.alloc(16, 2), auth: Buffer.alloc(0), keepalive: true }]);
  const badProof = await transportFor((s, m) => {
    if (m[0] === 'PING') s.write(packr.pack(['PONG', true, '', 'server.test', 'ab'.repeat(64)]));
  }, { sharedKey: 'the-shared-s3cret', selfHostname: 'client.test' }, (s) => s.write(helo));
  const e1 = await expectSinkError(badProof.send(records(1)), 'E_SINK_AUTH', /did not prove it knows the shared key/);
  assert.ok(!e1.message.includes('s3cret'));
  const mirror = await transportFor((s, m) => {
    if (m[0] === 'PING') s.write(packr.pack(['PONG', true, '', 'client.test', m[3] as string]));
  }, { sharedKey: 'the-shared-s3cret', selfHostname: 'client.test' }, (s) => s.write(helo));
  await expectSinkError(mirror.send(records(1)), 'E_SINK_AUTH', /same as our selfHostname/);
});

test('a shared key against a server that never sends HELO times out as E_SINK_TIMEOUT naming the cause', async () => {
  const t = await transportFor(() => undefined, { sharedKey: 'k', connectTimeoutMs: 300 });
  await expectSinkError(t.send(records(1)), 'E_SINK_TIMEOUT', /no HELO from 127\.0\.0\.1:\d+ within 300 ms/);
});

test('no ack in time is E_SINK_TIMEOUT and drops the connection; the next send connects again', async () => {
  let connections = 0;
  let answer = false;
  const t = await transportFor((s, m) => {
    if (answer) s.write(packr.pack({ ack: chunkOf(m) }));
  }, { ackTimeoutMs: 300 }, () => connections++);
  await expectSinkError(t.send(records(1)), 'E_SINK_TIMEOUT', /no ack from 127\.0\.0\.1:\d+ within 300 ms for 1 of 1 chunk/);
  answer = true;
  await t.send(records(1));
  assert.equal(connections, 2);
});

test('a refused connection is E_SINK_CONNECT naming host:port and the errno', async () => {
  const port = await freePort();
  const t = new ForwardTransport({ host: '127.0.0.1', port, connectTimeoutMs: 60_000 });
  await expectSinkError(t.send(records(1)), 'E_SINK_CONNECT', new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  await t.close();
});

test('a host name that does not resolve is E_SINK_CONNECT', async () => {
  const t = new ForwardTransport({ host: 'flowtap-test.invalid', port: 24224, connectTimeoutMs: 5000 });
  await expectSinkError(t.send(records(1)), 'E_SINK_CONNECT', /cannot (resolve flowtap-test\.invalid \(for flowtap-test\.invalid:24224\)|connect to flowtap-test\.invalid:24224)/);
  await t.close();
});

test('a plain connection answered with a TLS alert is E_SINK_TLS saying the port wants TLS', async () => {
  const t = await transportFor((s) => s.end(Buffer.from('15030300020246', 'hex')));
  const e = await expectSinkError(t.send(records(1)), 'E_SINK_TLS', /answered with TLS: it is a TLS port, configure tls/);
  assert.equal(e.retryable, false);
});

test('TLS towards a plain TCP server is E_SINK_TLS naming host:port', async () => {
  const t = await transportFor((s) => s.end(), { tls: { rejectUnauthorized: true } }, (s) => s.end('not tls at all\n'));
  const e = await expectSinkError(t.send(records(1)), 'E_SINK_TLS', /TLS handshake with 127\.0\.0\.1:\d+ failed/);
  assert.equal(e.retryable, false);
});

test('a retried batch (same array) carries the same chunk id; another batch gets a new one', async () => {
  const seen: string[] = [];
  const t = await transportFor((s, m) => {
    seen.push(chunkOf(m));
    if (seen.length === 1) s.destroy();
    else s.write(packr.pack({ ack: chunkOf(m) }));
  });
  const batch = records(4);
  await expectSinkError(t.send(batch), 'E_SINK_CONNECT');
  await t.send(batch);
  await t.send(records(4));
  assert.equal(seen.length, 3);
  assert.equal(seen[1], seen[0]);
  assert.notEqual(seen[2], seen[0]);
  assert.equal(Buffer.from(seen[0], 'base64').length, 16);
});

test('a kept-alive connection that dies under the next batch is replaced once within that send, same chunk', async () => {
  const seen: [number, string][] = [];
  let connections = 0;
  const t = await transportFor((s, m) => {
    seen.push([connections, chunkOf(m)]);
    if (seen.length === 2) s.destroy();
    else s.write(packr.pack({ ack: chunkOf(m) }));
  }, {}, () => connections++);
  await t.send(records(2));
  await t.send(records(2, 2));
  assert.equal(connections, 2);
  assert.deepEqual(seen.map(([c]) => c), [1, 1, 2]);
  assert.equal(seen[2][1], seen[1][1], 'the resend carries the same chunk id');
  await t.send(records(2, 4));
  assert.equal(connections, 2, 'the replacement is kept alive');
});

test('close() aborts a send that is still opening its connection (waiting for HELO)', async () => {
  let connected: () => void = () => undefined;
  const accepted = new Promise<void>((r) => (connected = r));
  const t = await transportFor(() => undefined, { sharedKey: 'k', connectTimeoutMs: 600_000 }, () => connected());
  const pending = t.send(records(1));
  await accepted;
  await t.close();
  await expectSinkError(pending, 'E_SINK_CONNECT', /closed by flowtap while opening/);
});

test('close() rejects a send that waits for its ack, and later sends', async () => {
  let arrived: () => void = () => undefined;
  const received = new Promise<void>((r) => (arrived = r));
  const t = await transportFor(() => arrived());
  const pending = t.send(records(1));
  await received;
  await t.close();
  await expectSinkError(pending, 'E_SINK_CONNECT', /closed by flowtap/);
  await expectSinkError(t.send(records(1)), 'E_SINK_CONNECT', /transport to 127\.0\.0\.1:\d+ is closed/);
  await t.close();
});
