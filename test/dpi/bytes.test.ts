import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, endsWith, findByte, indexOfByte } from '../../src/dpi/bytes';

test('bytes: endsWith matches the end of the range only, whole pattern inside it', () => {
  const b = Buffer.from('GET /v.mp4 HTTP/1.1xyz');
  const pat = ascii('HTTP/1.1');
  assert.equal(endsWith(b, 0, 19, pat), true);
  assert.equal(endsWith(b, 11, 19, pat), true);
  assert.equal(endsWith(b, 12, 19, pat), false);
  assert.equal(endsWith(b, 0, b.length, pat), false);
  assert.equal(endsWith(b, 5, 5, new Uint8Array(0)), true);
});

test('bytes: findByte finds what indexOfByte finds, bounded by end though the view goes on', () => {
  const b = Buffer.from('Host: a\r\nUser-Agent: b\r\n\r\nbody\n');
  for (let off = 0; off <= b.length; off++) {
    for (let end = off; end <= b.length; end++) {
      for (const c of [10, 0x3a, 0]) {
        assert.equal(findByte(b, off, end, c), indexOfByte(b, off, end, c), `${off} ${end} ${c}`);
      }
    }
  }
  const u = new Uint8Array([1, 2, 10, 3, 10]);
  assert.equal(findByte(u, 0, 5, 10), 2);
  assert.equal(findByte(u, 3, 4, 10), -1);
  assert.equal(findByte(u, 3, 5, 10), 4);
});
