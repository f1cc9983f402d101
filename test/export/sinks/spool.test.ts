/**
 * The on-disk spool (src/export/sinks/spool.ts): order across segments,
 * deletion only after delivery, the cursor across restarts, torn and foreign
 * lines, the size limit, and a fuzz run of random files under segment names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { segmentName, Spool, type SpoolOptions } from '../../../src/export/sinks/spool';
import { manyRecords } from './transport-contract';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'flowtap-spool-'));
}

function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^seg-\d{16}\.jsonl$/.test(n))
    .sort();
}

function spool(dir: string, extra: Partial<SpoolOptions> = {}): { s: Spool; warnings: string[] } {
  const warnings: string[] = [];
  const s = new Spool(dir, { maxBytes: 1 << 30, warn: (m) => warnings.push(m), ...extra });
  return { s, warnings };
}

/** Reads and acks everything; returns the records and the skipped-line count. */
function readAll(s: Spool, max: number | (() => number)): { records: FlowRecord[]; skipped: number } {
  const records: FlowRecord[] = [];
  let skipped = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const r = s.read(typeof max === 'number' ? max : max());
    if (r === null) break;
    records.push(...r.records);
    skipped += r.skipped;
    s.ack(r.token);
  }
  return { records, skipped };
}

const ids = (rs: readonly FlowRecord[]): number[] => rs.map((r) => r.flow_id);
const line = (r: FlowRecord): string => JSON.stringify(r) + '\n';

test('records come back in order across segments, and each segment is deleted once its records were delivered', async () => {
  const dir = scratch();
  try {
    const { s } = spool(dir, { segmentBytes: 4096 });
    s.open();
    const recs = await manyRecords(200);
    for (const r of recs) assert.equal(s.append(line(r), 0), 'ok');
    assert.ok(segments(dir).length > 5, 'several segments');
    assert.equal(s.unread, 200);
    let first = true;
    const got: FlowRecord[] = [];
    for (;;) {
      const r = s.read(first ? 1 : 17);
      if (r === null) break;
      assert.ok(r.records.length <= 17);
      got.push(...r.records);
      if (first) {
        const before = segments(dir).length;
        s.ack(r.token);
        assert.equal(segments(dir).length, before, 'a partly delivered segment stays');
        first = false;
      } else s.ack(r.token);
    }
    assert.deepEqual(got, recs);
    assert.deepEqual(segments(dir), [], 'all segments deleted');
    assert.equal(s.bytes, 0);
    assert.equal(s.unread, 0);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reopened spool starts after the last delivered batch and repeats the batch that was read but not delivered', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(100);
    const a = spool(dir, { segmentBytes: 1 << 20 }).s;
    a.open();
    for (const r of recs) a.append(line(r), 0);
    const b1 = a.read(30);
    assert.ok(b1 !== null);
    a.ack(b1.token);
    const b2 = a.read(30);
    assert.ok(b2 !== null);
    assert.deepEqual(ids(b2.records), ids(recs.slice(30, 60)));
    a.close();

    const b = spool(dir).s;
    b.open();
    assert.equal(await b.countLeftovers(), 70);
    const { records } = readAll(b, 25);
    assert.deepEqual(ids(records), ids(recs.slice(30)));
    assert.deepEqual(segments(dir), []);
    assert.ok(!readdirSync(dir).includes('cursor'), 'the cursor goes with its segment');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('segments of an earlier run are read first and never appended to', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(30);
    writeFileSync(join(dir, segmentName(7)), recs.slice(0, 10).map(line).join(''));
    const { s } = spool(dir);
    s.open();
    assert.equal(await s.countLeftovers(), 10);
    for (const r of recs.slice(10)) s.append(line(r), 0);
    s.flush();
    assert.deepEqual(segments(dir), [segmentName(7), segmentName(8)]);
    assert.equal(readFileSync(join(dir, segmentName(7)), 'utf8'), recs.slice(0, 10).map(line).join(''));
    assert.deepEqual(ids(readAll(s, 7).records), ids(recs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line is skipped with a warning, and the lines before it are read', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(4);
    const torn = line(recs[3]).slice(0, 40);
    writeFileSync(join(dir, segmentName(1)), recs.slice(0, 3).map(line).join('') + torn);
    const { s, warnings } = spool(dir);
    s.open();
    assert.equal(await s.countLeftovers(), 4, 'the torn line counts as a line until it is read');
    const { records, skipped } = readAll(s, 100);
    assert.deepEqual(ids(records), ids(recs.slice(0, 3)));
    assert.equal(skipped, 1);
    assert.equal(s.unread, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /seg-0000000000000001\.jsonl: skipped 1 unreadable line \(a torn last line at byte \d+/);
    assert.deepEqual(segments(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('foreign, non-record and over-long lines are skipped and counted; empty lines are not lines', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(3);
    const content = [line(recs[0]), '{"not":"a record"}\n', '\n\n', 'x'.repeat(5000) + '\n', '[1,2]\n', line(recs[1]), 'null\n', line(recs[2])].join('');
    writeFileSync(join(dir, segmentName(3)), content);
    const { s, warnings } = spool(dir, { maxLineBytes: 1024 });
    s.open();
    assert.equal(await s.countLeftovers(), 7);
    const { records, skipped } = readAll(s, 2);
    assert.deepEqual(ids(records), ids(recs));
    assert.equal(skipped, 4);
    assert.ok(warnings.length >= 1 && warnings.every((w) => /skipped \d+ unreadable line/.test(w)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an append past the size limit is refused as full; space comes back as segments are delivered', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(50);
    const one = Buffer.byteLength(line(recs[0]));
    const { s } = spool(dir, { maxBytes: one * 10, segmentBytes: one * 3 });
    s.open();
    const results = recs.slice(0, 20).map((r) => s.append(line(r), 0));
    assert.ok(results.includes('full'));
    assert.ok(s.bytes <= one * 10, `${s.bytes} bytes held`);
    const kept = recs.slice(0, 20).filter((_, i) => results[i] === 'ok');
    assert.deepEqual(ids(readAll(s, 100).records), ids(kept));
    assert.equal(s.bytes, 0);
    assert.equal(s.append(line(recs[20]), 0), 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cursor that does not fit its segment is ignored with a warning (records may repeat, none are skipped)', async () => {
  const recs = await manyRecords(5);
  const text = recs.map(line).join('');
  for (const cursor of ['1 7\n', `1 ${text.length + 10}\n`, 'garbage', '']) {
    const dir = scratch();
    try {
      writeFileSync(join(dir, segmentName(1)), text);
      writeFileSync(join(dir, 'cursor'), cursor);
      const { s, warnings } = spool(dir);
      s.open();
      assert.equal(await s.countLeftovers(), 5, `cursor ${JSON.stringify(cursor)}`);
      assert.deepEqual(ids(readAll(s, 100).records), ids(recs));
      if (cursor !== '') assert.equal(warnings.length, 1, `cursor ${JSON.stringify(cursor)}: ${warnings.join(' | ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a cursor naming a segment that is gone does not apply to a later segment of this or the next run', async () => {
  const dir = scratch();
  try {
    const recs = await manyRecords(10);
    writeFileSync(join(dir, 'cursor'), '5 100\n');
    const { s } = spool(dir);
    s.open();
    for (const r of recs) s.append(line(r), 0);
    s.close();
    assert.deepEqual(segments(dir), [segmentName(6)]);
    const again = spool(dir).s;
    again.open();
    assert.equal(await again.countLeftovers(), 10);
    assert.deepEqual(ids(readAll(again, 100).records), ids(recs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function garbage(rand: () => number, maxLen: number): Buffer {
  const len = Math.floor(rand() * maxLen);
  const b = Buffer.alloc(len);
  const kind = rand();
  for (let i = 0; i < len; i++) {
    if (kind < 0.3) b[i] = Math.floor(rand() * 256);
    else if (kind < 0.6) b[i] = '{}[]":,0123456789truefalsnul\\ \n\r'.charCodeAt(Math.floor(rand() * 34));
    else b[i] = rand() < 0.05 ? 10 : 32 + Math.floor(rand() * 95);
  }
  return b;
}

test('fuzz: random files under segment names never throw, and every well-formed record line among them is read once, in order', async () => {
  const pool = await manyRecords(40);
  let allRecords = 0;
  let allSkipped = 0;
  let torn = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const rand = prng(seed);
    const dir = scratch();
    try {
      const expected: number[] = [];
      let nextId = 1;
      const files = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < files; f++) {
        const parts: Buffer[] = [];
        const pieces = Math.floor(rand() * 12);
        for (let p = 0; p < pieces; p++) {
          if (rand() < 0.5) {
            const r = { ...pool[Math.floor(rand() * pool.length)], flow_id: nextId++ };
            // A record line needs a line break before it, unless it opens the file.
            if (parts.length > 0) parts.push(Buffer.from('\n'));
            parts.push(Buffer.from(line(r)));
            expected.push(r.flow_id);
          } else {
            parts.push(garbage(rand, rand() < 0.1 ? 6000 : 300));
            if (rand() < 0.7) parts.push(Buffer.from('\n'));
          }
        }
        let content = Buffer.concat(parts);
        // A record at the very end may lose its newline (a torn write): then it is not expected.
        if (rand() < 0.2 && content.length > 0 && content[content.length - 1] === 10) {
          content = content.subarray(0, content.length - 1);
          const tail = content.subarray(content.lastIndexOf(10) + 1).toString();
          if (tail.startsWith('{"protocol"')) {
            expected.pop();
            torn++;
          }
        }
        writeFileSync(join(dir, segmentName(10 + f * 3)), content);
      }
      if (rand() < 0.3) writeFileSync(join(dir, 'cursor'), garbage(rand, 40));
      const { s } = spool(dir, { maxLineBytes: 2048 });
      s.open();
      const counted = await s.countLeftovers();
      const { records, skipped } = readAll(s, () => 1 + Math.floor(rand() * 20));
      assert.deepEqual(ids(records), expected, `seed ${seed}`);
      assert.equal(records.length + skipped, counted, `seed ${seed}: every counted line read once`);
      assert.equal(s.unread, 0, `seed ${seed}`);
      assert.deepEqual(segments(dir), [], `seed ${seed}: all delivered segments deleted`);
      allRecords += records.length;
      allSkipped += skipped;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.ok(allRecords > 200 && allSkipped > 200 && torn > 3, `the cases exercise both kinds of line (${allRecords} records, ${allSkipped} skipped, ${torn} torn records)`);
});
