/**
 * Allocation tests: a `gc` function without --expose-gc on the command line,
 * and the count of garbage collections while a warmed-up loop runs (zero
 * means the loop allocated nothing the young generation had to collect).
 */
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's gc(), or null when it cannot be had. */
export function getGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as unknown;
    return typeof f === 'function' ? (f as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * Runs loop(warm) (long enough for the optimizing compiler: before it,
 * intermediate numbers are boxed, that is allocated), collects, then counts
 * the garbage collections during loop(measured).
 */
export async function collectionsDuring(loop: (n: number) => void, warm: number, measured: number): Promise<number> {
  const gc = getGc();
  assert.ok(gc, 'needs gc');
  loop(warm);
  gc();
  gc();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  loop(measured);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return gcs;
}
