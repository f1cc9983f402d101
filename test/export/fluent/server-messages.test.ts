/**
 * Reading what a fluentd server sends back: HELO, PONG and acks in msgpack
 * and JSON, split anywhere, and random bytes (only ProtocolFault may come
 * out, and pending data stays bounded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { MAX_MESSAGE_BYTES, ProtocolFault, ServerMessageReader, type ServerMessage } from '../../../src/export/fluent/server-messages';
import { rng } from '../../support/common';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const nonce = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function readAll(chunks: Buffer[]): ServerMessage[] {
  const r = new ServerMessageReader();
  return chunks.flatMap((c) => r.push(c));
}

test('HELO with a bin nonce and salt, PONG and an ack are read from msgpack', () => {
  const bytes = Buffer.concat([
    packr.pack(['HELO', { nonce, auth: Buffer.alloc(0), keepalive: true }]),
    packr.pack(['PONG', true, '', 'server.example', 'ab'.repeat(64)]),
    packr.pack({ ack: 'p8n9gmxTQVC8/nh2wlKKeQ==' }),
  ]);
  assert.deepEqual(readAll([bytes]), [
    { type: 'helo', nonce, auth: Buffer.alloc(0), keepalive: true },
    { type: 'pong', ok: true, reason: '', serverHostname: 'server.example', digest: 'ab'.repeat(64) },
    { type: 'ack', chunk: 'p8n9gmxTQVC8/nh2wlKKeQ==' },
  ]);
});

test('HELO may carry nonce and auth as str, and keepalive false', () => {
  const [helo] = readAll([packr.pack(['HELO', { nonce: 'abc', auth: 'salt', keepalive: false }])]);
  assert.deepEqual(helo, { type: 'helo', nonce: Buffer.from('abc'), auth: Buffer.from('salt'), keepalive: false });
});

test('messages split at every byte boundary come out the same', () => {
  const bytes = Buffer.concat([packr.pack(['HELO', { nonce, auth: 'x' }]), packr.pack({ ack: 'QUJD' }), Buffer.from('{"ack":"REVG"}{"ack":"R0hJ"}')]);
  const whole = readAll([bytes]);
  assert.equal(whole.length, 4);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(readAll([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
  }
  assert.deepEqual(readAll([...bytes].map((b) => Buffer.from([b]))), whole, 'one byte at a time');
});

test('JSON acks (what in_forward answers a JSON connection) are read, with whitespace between them', () => {
  assert.deepEqual(readAll([Buffer.from('{"ack":"a\\"b"}\n {"ack":"c"}')]), [
    { type: 'ack', chunk: 'a"b' },
    { type: 'ack', chunk: 'c' },
  ]);
});

test('values that are not HELO, PONG or ack are protocol faults naming what came', () => {
  const fault = (bytes: Buffer, words: RegExp): void => {
    assert.throws(() => new ServerMessageReader().push(bytes), (e: unknown) => e instanceof ProtocolFault && words.test(e.message));
  };
  fault(packr.pack(42), /a number/);
  fault(packr.pack({ nack: 'x' }), /a map with 1 entries/);
  fault(packr.pack({ ack: 5 }), /a map/);
  fault(packr.pack(['HELO', { auth: 'x' }]), /malformed HELO/);
  fault(packr.pack(['PONG', 'yes', '', 'h', 'd']), /malformed PONG/);
  fault(Buffer.from([0xc1]), /0xc1 is not a msgpack type/);
  fault(Buffer.from('{"ack": oops}'), /malformed JSON/);
  fault(Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xff]), /str of 4294967295 bytes/);
  fault(Buffer.from([0xdd, 0x00, 0x10, 0x00, 0x00]), /array of 1048576 items/);
});

test('an endless message is refused once it passes 64 KiB', () => {
  const r = new ServerMessageReader();
  r.push(Buffer.from('{"ack":"'));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) r.push(Buffer.alloc(1024, 0x61));
  }, (e: unknown) => e instanceof ProtocolFault && /more than 65536 bytes/.test(e.message));
  assert.equal(MAX_MESSAGE_BYTES, 65536);
});

test('random bytes in random pieces only ever raise ProtocolFault, and never hold more than 64 KiB', () => {
  const rand = rng(20240601);
  let faults = 0;
  for (let round = 0; round < 3000; round++) {
    const r = new ServerMessageReader();
    const len = 1 + Math.floor(rand() * 64);
    const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
    try {
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(rand() * 8);
        r.push(bytes.subarray(at, at + n));
        at += n;
      }
      assert.ok(r.pendingBytes <= MAX_MESSAGE_BYTES);
    } catch (e) {
      assert.ok(e instanceof ProtocolFault, `round ${round}: ${String(e)} for ${bytes.toString('hex')}`);
      faults++;
    }
  }
  assert.ok(faults > 1000, `most random inputs are faults (${faults})`);
});
