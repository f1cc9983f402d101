/**
 * sha1Short against node:crypto's SHA-1 for every input length it accepts
 * (one- and two-block paddings, the 55/56/63/64-byte boundaries) and the
 * FIPS 180-2 "abc" vector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha1Short, SHA1_MAX_INPUT } from '../../src/util/sha1';

test('sha1-abc-vector', () => {
  const out = Buffer.alloc(20);
  sha1Short(Buffer.from('abc'), 3, out);
  assert.equal(out.toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});

test('sha1-matches-node-crypto-for-every-length', () => {
  const out = Buffer.alloc(20);
  for (let len = 0; len <= SHA1_MAX_INPUT; len++) {
    for (let rep = 0; rep < 5; rep++) {
      const data = randomBytes(len);
      sha1Short(data, len, out);
      assert.equal(out.toString('hex'), createHash('sha1').update(data).digest('hex'), `length ${len}`);
    }
  }
});

test('sha1-rejects-long-input', () => {
  assert.throws(() => sha1Short(Buffer.alloc(200), 120, Buffer.alloc(20)), RangeError);
});
