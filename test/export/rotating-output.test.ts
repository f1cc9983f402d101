/**
 * RotatingOutput: by size (a file ends on the line that reached the limit),
 * by record time (one file per period of the records' clock, named after the
 * period start), by wall clock, --rotate-keep pruning, and an existing file
 * renamed instead of overwritten. Concatenating the rotated files in name
 * order and then the active file always gives every line once, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { prepareRotatingFile, RotateOptions, rotatedFiles, RotatingOutput, stamp } from '../../src/export/rotating-output';

const HOUR = 3_600_000;
/** 2024-01-31T12:00:00Z */
const T0 = Date.UTC(2024, 0, 31, 12);

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowtap-rotate-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function opts(o: Partial<RotateOptions>): RotateOptions {
  return { maxBytes: 0, intervalMs: 0, clock: 'record', keep: 0, ...o };
}

/** Writes the lines with their clocks; returns the files in order (rotated ones, then the active one). */
async function write(path: string, o: RotateOptions, items: { line: string; ms: number }[], now?: () => number): Promise<string[]> {
  prepareRotatingFile(path, o.keep);
  const out = new RotatingOutput(path, o, now);
  for (const { line, ms } of items) {
    out.at(ms);
    out.line(line);
  }
  await out.close();
  return [...rotatedFiles(path), path];
}

const all = (files: string[]): string => files.map((f) => readFileSync(f, 'utf8')).join('');

test('stamp() is the UTC second as YYYYMMDDTHHMMSSZ', () => {
  assert.equal(stamp(T0 + 1999), '20240131T120001Z');
});

test('by size: each finished file reaches the limit and ends on a whole line; nothing lost or repeated', withDir(async (dir) => {
  const path = join(dir, 'flows.jsonl');
  const items = Array.from({ length: 100 }, (_, i) => ({ line: `{"n":${i},"pad":"${'x'.repeat(i % 17)}"}`, ms: T0 + i * 1000 }));
  const files = await write(path, opts({ maxBytes: 400 }), items);
  assert.ok(files.length > 5, `${files.length} files`);
  assert.equal(all(files), items.map((x) => x.line + '\n').join(''));
  for (const f of files.slice(0, -1)) {
    const text = readFileSync(f, 'utf8');
    assert.ok(text.length >= 400 && text.endsWith('\n'), basename(f));
    const lines = text.split('\n').filter((l) => l !== '');
    assert.ok(text.length - lines[lines.length - 1].length - 1 < 400, `${basename(f)} ends on the line that reached the limit`);
    // Named after the record time of its first line.
    const first = JSON.parse(lines[0]) as { n: number };
    assert.match(basename(f), new RegExp(`^flows\\.jsonl\\.${stamp(items[first.n].ms)}(-\\d+)?$`));
  }
}));

test('by record time: one file per period, named after the period start; a late record stays in the current file', withDir(async (dir) => {
  const path = join(dir, 'flows.jsonl');
  const items = [
    { line: 'a', ms: T0 + 10 },
    { line: 'b', ms: T0 + HOUR - 1 },
    { line: 'c', ms: T0 + HOUR + 5 },
    { line: 'late', ms: T0 + 100 },
    { line: 'd', ms: T0 + 3 * HOUR + 7 },
    { line: 'e', ms: T0 + 3 * HOUR + 8 },
  ];
  const files = await write(path, opts({ intervalMs: HOUR }), items);
  assert.deepEqual(files.map((f) => basename(f)), ['flows.jsonl.20240131T120000Z', 'flows.jsonl.20240131T130000Z', 'flows.jsonl']);
  assert.deepEqual(files.map((f) => readFileSync(f, 'utf8')), ['a\nb\n', 'c\nlate\n', 'd\ne\n']);
}));

test('by wall clock: the record times are ignored', withDir(async (dir) => {
  const path = join(dir, 'flows.jsonl');
  let now = T0;
  const items = [{ line: 'a', ms: 0 }, { line: 'b', ms: 0 }, { line: 'c', ms: 0 }];
  const clock = (): number => {
    const t = now;
    now += 40 * 60_000;
    return t;
  };
  const files = await write(path, opts({ intervalMs: HOUR, clock: 'wall' }), items, clock);
  assert.deepEqual(files.map((f) => basename(f)), ['flows.jsonl.20240131T120000Z', 'flows.jsonl']);
  assert.equal(all(files), 'a\nb\nc\n');
}));

test('--rotate-keep keeps only the newest rotated files', withDir(async (dir) => {
  const path = join(dir, 'flows.jsonl');
  const items = Array.from({ length: 10 }, (_, i) => ({ line: `line ${i}`, ms: T0 + i * HOUR }));
  const files = await write(path, opts({ intervalMs: HOUR, keep: 3 }), items);
  assert.deepEqual(files.map((f) => readFileSync(f, 'utf8')), ['line 6\n', 'line 7\n', 'line 8\n', 'line 9\n']);
  assert.equal(readdirSync(dir).length, 4);
}));

test('an existing non-empty file is renamed after its modification time, not overwritten; an empty one is reused', withDir(async (dir) => {
  const path = join(dir, 'flows.jsonl');
  writeFileSync(path, 'old\n');
  utimesSync(path, new Date(T0), new Date(T0));
  const files = await write(path, opts({ maxBytes: 1 << 20 }), [{ line: 'new', ms: T0 + HOUR }]);
  assert.deepEqual(files.map((f) => basename(f)), ['flows.jsonl.20240131T120000Z', 'flows.jsonl']);
  assert.equal(all(files), 'old\nnew\n');
  writeFileSync(path, '');
  prepareRotatingFile(path, 0);
  assert.equal(rotatedFiles(path).length, 1);
  assert.equal(statSync(path).size, 0);
}));

test('names taken in the same second get -2, -3 ... and sort in writing order', withDir(async (dir) => {
  const path = join(dir, 'f');
  const items = Array.from({ length: 12 }, (_, i) => ({ line: `l${i}`, ms: T0 }));
  const files = await write(path, opts({ maxBytes: 3 }), items);
  assert.deepEqual(files.slice(0, 3).map((f) => basename(f)), ['f.20240131T120000Z', 'f.20240131T120000Z-2', 'f.20240131T120000Z-3']);
  assert.equal(basename(files[10]), 'f.20240131T120000Z-11');
  assert.equal(all(files), items.map((x) => x.line + '\n').join(''));
}));
