/**
 * grown(): a longer typed array of the same kind, the old contents first and
 * zeros after them, the old array untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grown } from '../../src/util/typed-grow';

test('grown keeps the kind and the contents, zero-fills the rest, and leaves the original alone', () => {
  for (const a of [Uint8Array.of(1, 255), Uint16Array.of(7, 65535), Int32Array.of(-1, 2 ** 31 - 1), Uint32Array.of(2 ** 32 - 1, 3), Float64Array.of(1.5, 1e15)]) {
    const b = grown(a, 5);
    assert.equal(b.constructor, a.constructor);
    assert.equal(b.length, 5);
    assert.deepEqual([...b], [a[0], a[1], 0, 0, 0]);
    b[0] = 9;
    assert.notEqual(a[0], 9);
    assert.equal(a.length, 2);
  }
  assert.equal(grown(new Int32Array(0), 3).length, 3);
});
