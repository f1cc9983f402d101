/**
 * Helpers shared by the test folders: a seeded PRNG so randomized tests can be
 * replayed from their seed, and a per-process scratch directory removed at exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small seeded PRNG (xorshift32) returning numbers in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

let tmp: string | null = null;

/** A scratch directory for this test process, removed at exit. */
export function scratch(): string {
  if (tmp === null) {
    tmp = mkdtempSync(join(tmpdir(), 'flowtap-test-'));
    const dir = tmp;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tmp;
}
