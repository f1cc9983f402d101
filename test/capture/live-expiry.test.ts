/**
 * The clock-driven expiry timer: it calls expire() with its clock every
 * interval, and not after stop(). (Its effect on real flows is tested in
 * live-source.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiveExpiry } from '../../src/capture/live-expiry';

test('expire() is called with the clock every interval until stop()', async () => {
  const calls: number[] = [];
  let clock = 1_000_000;
  const timer = startLiveExpiry({ expire: (now) => calls.push(now) }, { intervalMs: 20, now: () => (clock += 1000) });
  const end = Date.now() + 10_000;
  while (calls.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  timer.stop();
  const n = calls.length;
  assert.ok(n >= 3);
  assert.deepEqual(calls.slice(0, 3), [1_001_000, 1_002_000, 1_003_000]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls.length, n);
});
