/**
 * The record ring between a packet thread and the export thread
 * (src/export/record-ring.ts): rows and their DPI text (the meta area, where
 * records follow each other, each taking only the bytes it wrote) come out
 * whole and in order across many wrap-arounds of both; a producer that finds
 * no free row, or no META_ROOM bytes of text area, waits on its own thread
 * until the consumer frees room, ringing the consumer's doorbell; closing
 * ends the consumer's wait.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { bellValue, createRing, metaBytesFor, RingConsumer, RingProducer, waitBell } from '../../src/export/record-ring';
import { META_ROOM, Raw } from '../../src/export/raw-record';

/** The text of record i: a length from 0 to META_ROOM (both included; enough long ones that the text area, not the rows, fills first), bytes derived from i. */
function textLength(i: number, room: number): number {
  const r = (i * 2654435761) >>> 0;
  if (i % 5 === 0) return room;
  if (i % 3 === 0) return r % room;
  return r % 300;
}

/** Code of a producer thread: writes `records` records, then closes and reports its waits. */
const PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { RingProducer } = require(workerData.module);
const p = new RingProducer(workerData.ring);
${textLength.toString()}
for (let i = 0; i < workerData.records; i++) {
  const row = p.reserve();
  const off = p.metaOffset();
  const len = textLength(i, workerData.metaRoom);
  for (let k = 0; k < len; k++) p.meta[off + k] = (i + k) & 255;
  p.rows[row] = i;
  p.rows[row + workerData.metaLen] = len;
  p.publish();
}
p.close();
parentPort.postMessage({ waits: p.waits, lost: p.lost });
`;

const MODULE = join(__dirname, '..', '..', 'src', 'export', 'record-ring.js');

test('the meta area is 1 KiB per row, a power of two, room for at least four records of META_ROOM', () => {
  assert.equal(metaBytesFor(4096), 4 << 20);
  assert.equal(metaBytesFor(2048), 2 << 20);
  assert.equal(metaBytesFor(1), 4 * META_ROOM);
  assert.equal(metaBytesFor(100), 128 * 1024);
});

test('records and their text come out whole and in order through many wrap-arounds; a full ring or text area makes the producer wait', async () => {
  const ring = createRing(16);
  const records = 6000;
  const worker = new Worker(PRODUCER, { eval: true, workerData: { module: MODULE, ring, records, metaRoom: META_ROOM, metaLen: Raw.MetaLen } });
  const done = new Promise<{ waits: number; lost: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    const c = new RingConsumer(ring);
    let next = 0;
    let bad = '';
    for (;;) {
      const rung = bellValue(ring.bell);
      const n = c.poll();
      if (n === 0) {
        await waitBell(ring.bell, rung, 1000);
        continue;
      }
      if (n < 0) break;
      // A slow consumer: a few rows at a time, with pauses, so the producer finds the ring full.
      const take = Math.min(n, 3);
      for (let j = 0; j < take; j++) {
        const row = c.next();
        const i = c.rows[row];
        const len = c.rows[row + Raw.MetaLen];
        const off = c.metaOffset(row);
        if (i !== next) bad ||= `record ${i} where ${next} was expected`;
        if (len !== textLength(next, META_ROOM)) bad ||= `record ${i}: text of ${len} bytes, ${textLength(next, META_ROOM)} written`;
        if (off + len > c.meta.length) bad ||= `record ${i}: text past the end of the area`;
        for (let k = 0; k < len && bad === ''; k++) if (c.meta[off + k] !== ((i + k) & 255)) bad = `record ${i}: text byte ${k} differs`;
        next++;
        c.release(1);
      }
      if (next % 500 < 3) await new Promise((r) => setTimeout(r, 1));
    }
    const r = await done;
    assert.equal(bad, '');
    assert.equal(next, records);
    assert.equal(r.lost, 0);
    assert.ok(r.waits > 0, 'the producer had to wait for room');
  } finally {
    await worker.terminate();
  }
});

test('with small records the text area is not the limit: the rows are', () => {
  const ring = createRing(64);
  const c = new RingConsumer(ring);
  const p = new RingProducer(ring);
  for (let i = 0; i < 64; i++) {
    const row = p.reserve();
    p.rows[row] = i;
    p.rows[row + Raw.MetaLen] = 100;
    p.publish();
  }
  assert.equal(p.waits, 0);
  assert.equal(c.poll(), 64);
  const offsets = new Set<number>();
  for (let i = 0; i < 64; i++) {
    offsets.add(c.metaOffset(c.next()));
    c.release(1);
  }
  assert.equal(offsets.size, 64);
  assert.ok(Math.max(...offsets) < 64 * 104, 'records follow each other (8-byte aligned), not one META_ROOM slot each');
});
