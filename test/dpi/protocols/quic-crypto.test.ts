import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { aes128EncryptBlock } from '../../../src/dpi/protocols/quic/aes';
import { expandLabelInfo, expandLabelInto, HMAC_SHORT_MAX, HmacKey, hmacShort, setHmacKey } from '../../../src/dpi/protocols/quic/hkdf';
import { hex } from '../harness';

function aes(key: Buffer, block: Buffer, off = 0): string {
  const out = new Uint8Array(16);
  aes128EncryptBlock(key, block, off, out);
  return Buffer.from(out).toString('hex');
}

function hmac(key: Buffer, msg: Buffer): string {
  const k = new HmacKey();
  setHmacKey(k, key, 0, key.length);
  const out = new Uint8Array(40);
  hmacShort(k, msg, 0, msg.length, out, 4);
  return Buffer.from(out.subarray(4, 36)).toString('hex');
}

test('quic aes: FIPS 197 C.1 AES-128 example', () => {
  assert.equal(aes(hex('000102030405060708090a0b0c0d0e0f'), hex('00112233445566778899aabbccddeeff')), '69c4e0d86a7b0430d8cdb78070b4c55a');
});

test('quic aes: FIPS 197 B cipher example, from an offset', () => {
  const block = Buffer.concat([hex('ffff'), hex('3243f6a8885a308d313198a2e0370734')]);
  assert.equal(aes(hex('2b7e151628aed2a6abf7158809cf4f3c'), block, 2), '3925841d02dc09fbdc118597196a0b32');
});

test('quic aes: same blocks as node:crypto aes-128-ecb for random keys and blocks', () => {
  for (let i = 0; i < 300; i++) {
    const key = randomBytes(16);
    const block = randomBytes(16);
    const c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    assert.equal(aes(key, block), c.update(block).toString('hex'));
  }
});

test('quic hkdf: RFC 4231 test case 2 (short key)', () => {
  assert.equal(hmac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('quic hkdf: same HMAC-SHA-256 as node:crypto for keys up to 64 bytes and messages up to 55', () => {
  for (let kl = 0; kl <= 64; kl += 4) {
    for (let ml = 0; ml <= HMAC_SHORT_MAX; ml++) {
      const key = randomBytes(kl);
      const msg = randomBytes(ml);
      assert.equal(hmac(key, msg), createHmac('sha256', key).update(msg).digest('hex'), `key ${kl} msg ${ml}`);
    }
  }
});

test('quic hkdf: too long keys and messages are refused', () => {
  const k = new HmacKey();
  assert.throws(() => setHmacKey(k, Buffer.alloc(65), 0, 65), RangeError);
  setHmacKey(k, Buffer.alloc(32), 0, 32);
  assert.throws(() => hmacShort(k, Buffer.alloc(56), 0, 56, new Uint8Array(32), 0), RangeError);
});

test('quic hkdf: HkdfLabel info of RFC 9001 A.1 and HKDF-Expand-Label to 16 bytes', () => {
  assert.equal(Buffer.from(expandLabelInfo('client in', 32)).toString('hex'), '00200f746c73313320636c69656e7420696e0001');
  assert.equal(Buffer.from(expandLabelInfo('quic key', 16)).toString('hex'), '00100e746c7331332071756963206b65790001');
  // RFC 9001 A.1: client_initial_secret, then "quic key".
  const k = new HmacKey();
  const secret = hex('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
  setHmacKey(k, secret, 0, 32);
  const out = new Uint8Array(18);
  expandLabelInto(k, expandLabelInfo('quic key', 16), 16, out, 1);
  assert.equal(Buffer.from(out).toString('hex'), '001f369613dd76d5467730efcbe3b1a22d00');
});
