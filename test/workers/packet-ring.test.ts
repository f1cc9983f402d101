/**
 * The packet ring between the dispatcher and a worker thread
 * (src/workers/packet-ring.ts): frames come out whole and in order across
 * many wrap-arounds, with their link type, lengths (wire lengths above 2^31
 * included) and times, markers in between; a producer that finds the ring
 * full waits (on its own thread) until the consumer frees room; close ends
 * the consumer's wait; a consumer that abandons the ring, or that stops
 * answering, never leaves the producer waiting: its frames are counted as
 * lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import {
  createPacketRing,
  FRAME_HEADER,
  Mark,
  maxFrameBytes,
  PacketRingConsumer,
  PacketRingProducer,
  type FrameHandler,
  type PacketRingShared,
} from '../../src/workers/packet-ring';
import { rng } from '../support/common';

interface Seen {
  kind: 'packet' | 'tick';
  linkType?: number;
  bytes?: string;
  caplen?: number;
  wireLen?: number;
  tsMs: number;
}

class Collect implements FrameHandler {
  readonly seen: Seen[] = [];
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    this.seen.push({ kind: 'packet', linkType, bytes: buf.toString('hex', off, off + caplen), caplen, wireLen, tsMs });
  }
  onTick(tsMs: number): void {
    this.seen.push({ kind: 'tick', tsMs });
  }
}

function frame(len: number, seed: number): Buffer {
  const next = rng(seed + 1);
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (next() * 256) | 0;
  return b;
}

test('frames and markers come out whole and in order across many wrap-arounds', () => {
  const shared = createPacketRing(8192);
  const p = new PacketRingProducer(shared);
  const c = new PacketRingConsumer(shared);
  const got = new Collect();
  const want: Seen[] = [];
  const next = rng(42);
  let written = 0;
  for (let i = 0; i < 3000; i++) {
    if (i % 97 === 0) {
      assert.equal(p.mark(Mark.Tick, 1e12 + i), true);
      want.push({ kind: 'tick', tsMs: 1e12 + i });
    }
    const len = Math.floor(next() * 700);
    const f = frame(len, i);
    // A frame inside a larger buffer, as a source hands them over.
    const buf = Buffer.concat([Buffer.alloc(i % 13), f, Buffer.alloc(5)]);
    const ts = 1.7e12 + i * 0.5;
    const wire = i === 5 ? 4_093_509_168 : len + (i % 3);
    assert.equal(p.push(i % 2 === 0 ? 1 : 113, buf, i % 13, len, wire, ts), true);
    want.push({ kind: 'packet', linkType: i % 2 === 0 ? 1 : 113, bytes: f.toString('hex'), caplen: len, wireLen: wire, tsMs: ts });
    written += FRAME_HEADER + len;
    // The consumer keeps up now and then (the producer never blocks: this is one thread).
    if (p.unpublished > 2000 || i % 5 === 0) {
      p.publish();
      while (c.poll() > 0) c.drain(got, 1500);
    }
  }
  p.close();
  while (c.poll() > 0) c.drain(got, 1 << 20);
  assert.equal(c.poll(), -1, 'closed and empty');
  assert.ok(written > 8 * 8192, 'the ring wrapped many times');
  assert.equal(got.seen.length, want.length);
  assert.deepEqual(got.seen, want);
  assert.equal(p.waits, 0);
  assert.equal(p.lost, 0);
});

test('frames of every length up to a quarter of the ring, at any source offset, are copied byte for byte', () => {
  const shared = createPacketRing(65536);
  const p = new PacketRingProducer(shared);
  const c = new PacketRingConsumer(shared);
  const lens = [0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1500, 2047, 2048, 2049, 3001, maxFrameBytes(65536)];
  for (const [i, len] of lens.entries()) {
    const f = frame(len, 100 + i);
    const buf = Buffer.concat([Buffer.alloc(i % 7), f]);
    assert.equal(p.push(1, buf, i % 7, len, len, i), true);
    p.publish();
    const got = new Collect();
    c.drain(got, 1 << 20);
    assert.equal(got.seen.length, 1);
    assert.equal(got.seen[0].bytes, f.toString('hex'), `${len} bytes at offset ${i % 7}`);
  }
});

test('a frame longer than a quarter of the ring is cut to fit, and counted', () => {
  const shared = createPacketRing(8192);
  const p = new PacketRingProducer(shared);
  const c = new PacketRingConsumer(shared);
  const big = frame(5000, 1);
  assert.equal(p.push(1, big, 0, big.length, big.length, 1), true);
  p.close();
  const got = new Collect();
  c.drain(got, 1 << 20);
  assert.equal(got.seen.length, 1);
  assert.equal(got.seen[0].caplen, maxFrameBytes(8192));
  assert.equal(got.seen[0].wireLen, 5000);
  assert.equal(got.seen[0].bytes, big.subarray(0, maxFrameBytes(8192)).toString('hex'));
  assert.equal(p.cut, 1);
});

test('the consumer waits without blocking its event loop and wakes on publish and on close', async () => {
  const shared = createPacketRing(8192);
  const p = new PacketRingProducer(shared);
  const c = new PacketRingConsumer(shared);
  let timerRan = false;
  setTimeout(() => {
    timerRan = true;
    p.push(1, Buffer.from('abcd'), 0, 4, 4, 5);
    p.publish();
  }, 30);
  const n = await c.wait(5000);
  assert.equal(timerRan, true);
  assert.equal(n, FRAME_HEADER + 8);
  const got = new Collect();
  c.drain(got, n);
  setTimeout(() => p.close(), 30);
  assert.equal(await c.wait(5000), -1);
  assert.equal(got.seen[0].bytes, '61626364');
});

/** Code of a producer thread: pushes `frames` frames of `size` bytes, then reports. */
const PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PacketRingProducer } = require(workerData.module);
const p = new PacketRingProducer(workerData.ring);
if (workerData.stallMs !== undefined) p.stallMs = workerData.stallMs;
const started = Date.now();
let delivered = 0;
for (let i = 0; i < workerData.frames; i++) {
  const b = Buffer.alloc(workerData.size, i & 255);
  b.writeUInt32BE(i, 0);
  if (p.push(1, b, 0, b.length, b.length, i)) delivered++;
}
p.close();
parentPort.postMessage({ delivered, lost: p.lost, waits: p.waits, gone: p.consumerGone, ms: Date.now() - started });
`;

const MODULE = join(__dirname, '..', '..', 'src', 'workers', 'packet-ring.js');

function producer(ring: PacketRingShared, frames: number, size: number, stallMs?: number): { result: Promise<{ delivered: number; lost: number; waits: number; gone: boolean; ms: number }>; worker: Worker } {
  const worker = new Worker(PRODUCER, { eval: true, workerData: { module: MODULE, ring, frames, size, stallMs } });
  const result = new Promise<{ delivered: number; lost: number; waits: number; gone: boolean; ms: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { result, worker };
}

test('a producer that finds the ring full waits for the consumer; nothing is lost or reordered', async () => {
  const ring = createPacketRing(4096);
  const { result, worker } = producer(ring, 400, 200);
  try {
    const c = new PacketRingConsumer(ring);
    const seen: number[] = [];
    const h: FrameHandler = {
      onPacket: (_lt, buf, off) => seen.push(buf.readUInt32BE(off)),
      onTick: () => undefined,
    };
    for (;;) {
      const n = await c.wait(1000);
      if (n < 0) break;
      // A slow consumer: a little at a time, with pauses.
      c.drain(h, 700);
      await new Promise((r) => setTimeout(r, 2));
    }
    const r = await result;
    assert.equal(r.delivered, 400);
    assert.equal(r.lost, 0);
    assert.ok(r.waits > 0, 'the producer had to wait');
    assert.deepEqual(seen, Array.from({ length: 400 }, (_, i) => i));
  } finally {
    await worker.terminate();
  }
});

test('a consumer that fails (abandons the ring) never leaves the producer waiting; the rest is counted as lost', async () => {
  const ring = createPacketRing(4096);
  const c = new PacketRingConsumer(ring);
  const { result, worker } = producer(ring, 500, 200);
  try {
    let taken = 0;
    const h: FrameHandler = { onPacket: () => taken++, onTick: () => undefined };
    await c.wait(1000);
    c.drain(h, 1000);
    c.abandon();
    const r = await result;
    assert.equal(r.gone, true);
    assert.equal(r.delivered + r.lost, 500);
    assert.ok(r.lost > 0);
    assert.ok(taken > 0 && taken <= r.delivered);
  } finally {
    await worker.terminate();
  }
});

test('a consumer that stops answering without saying so is given up after the stall limit', async () => {
  const ring = createPacketRing(4096);
  // No consumer at all: the ring fills and nobody ever frees it.
  const { result, worker } = producer(ring, 200, 200, 300);
  try {
    const r = await result;
    assert.equal(r.gone, true);
    assert.ok(r.lost > 0);
    assert.ok(r.delivered > 0 && r.delivered < 200);
  } finally {
    await worker.terminate();
  }
});
