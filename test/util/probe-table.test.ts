import test from 'node:test';
import assert from 'node:assert/strict';
import { removeFromProbeTable } from '../../src/util/probe-table';

/** Inserts slot s at the first free bucket of its probe run. */
function insert(buckets: Int32Array, hash: Int32Array, mask: number, s: number): void {
  let i = hash[s] & mask;
  while (buckets[i] !== 0) i = (i + 1) & mask;
  buckets[i] = s + 1;
}

function find(buckets: Int32Array, hash: Int32Array, mask: number, s: number): boolean {
  for (let i = hash[s] & mask; buckets[i] !== 0; i = (i + 1) & mask) if (buckets[i] === s + 1) return true;
  return false;
}

test('removal keeps every remaining entry reachable from its home bucket, including runs that wrap around the end', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let round = 0; round < 200; round++) {
    const size = 16;
    const mask = size - 1;
    const buckets = new Int32Array(size);
    const hash = new Int32Array(12);
    // Few distinct homes near the end of the table force long runs that wrap to bucket 0.
    for (let s = 0; s < hash.length; s++) hash[s] = 12 + (rnd() % 6);
    const live = new Set<number>();
    for (let s = 0; s < hash.length; s++) {
      insert(buckets, hash, mask, s);
      live.add(s);
    }
    for (let k = 0; k < 8; k++) {
      const s = [...live][rnd() % live.size];
      removeFromProbeTable(buckets, hash, mask, s);
      live.delete(s);
      assert.equal(find(buckets, hash, mask, s), false, `slot ${s} is gone`);
      for (const t of live) assert.ok(find(buckets, hash, mask, t), `slot ${t} is still found after removing ${s}`);
      assert.equal(buckets.filter((b) => b !== 0).length, live.size);
    }
  }
});
