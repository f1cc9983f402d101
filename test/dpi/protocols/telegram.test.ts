import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/telegram';

const only = [dissector];
// No corpus capture carries an unobfuscated MTProto transport; the first message is built per
// core.telegram.org: req_pq_multi (constructor 0xbe7e8ef1) with a 16-byte nonce, unencrypted.
const REQ_PQ = Buffer.concat([
  Buffer.alloc(8), // auth_key_id 0
  hex('00 00 00 00 a8 4f 1a 64'), // message id
  hex('14 00 00 00'), // body length 20
  hex('f1 8e 7e be'), // req_pq_multi
  Buffer.alloc(16, 0x42), // nonce
]);

function abridged(msg: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xef, msg.length / 4]), msg]);
}

function intermediate(tag: number, msg: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tag);
  head.writeUInt32LE(msg.length, 4);
  return Buffer.concat([head, msg]);
}

test('telegram: req_pq_multi over the abridged and intermediate transports is Telegram', () => {
  for (const p of [abridged(REQ_PQ), intermediate(0xeeeeeeee, REQ_PQ), intermediate(0xdddddddd, REQ_PQ)]) {
    const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: p }]);
    assert.equal(r.name, 'Telegram');
    assert.equal(r.confidence, 'dpi');
    assert.deepEqual(r.undeclared, []);
  }
});

test('telegram: near miss: a TLS record, or an abridged packet with an encrypted message, is not Telegram', () => {
  const encrypted = Buffer.from(REQ_PQ);
  encrypted[0] = 0x5a;
  for (const p of [hex('16 03 01 00 30 01 00 00 2c 03 03'), abridged(encrypted), Buffer.concat([abridged(REQ_PQ), Buffer.alloc(4)])]) {
    const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('telegram: every truncation of the first packet is handled; only the whole packet is recognised', () => {
  const full = intermediate(0xeeeeeeee, REQ_PQ);
  for (const b of prefixes(full)) {
    const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === full.length);
  }
});
