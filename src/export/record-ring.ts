/**
 * A bounded single-producer/single-consumer ring of raw records (rows of
 * RAW_FIELDS doubles) in a SharedArrayBuffer, between the packet thread and
 * an output thread. The producer blocks (Atomics.wait) when the ring is full,
 * so a slow output slows capture down instead of growing memory; the consumer
 * sleeps when it is empty and is woken only when it said it sleeps.
 */
import { META_ROOM, RAW_FIELDS } from './raw-record';

const enum Ctl {
  /** Rows published by the producer (wraps at 2^31). */
  Head = 0,
  /** Rows consumed. */
  Tail = 1,
  /** The producer will publish no more. */
  Closed = 2,
  /** The consumer is (about to be) waiting for rows. */
  Sleeping = 3,
  /** The producer is waiting for room. */
  Full = 4,
  Count = 5,
}

export interface RingShared {
  control: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  /** META_ROOM bytes per row: the record's DPI text fields. */
  meta: SharedArrayBuffer;
  capacity: number;
}

export function createRing(capacity: number): RingShared {
  return {
    control: new SharedArrayBuffer(Ctl.Count * 4),
    rows: new SharedArrayBuffer(capacity * RAW_FIELDS * 8),
    meta: new SharedArrayBuffer(capacity * META_ROOM),
    capacity,
  };
}

export class RingProducer {
  private readonly ctl: Int32Array;
  readonly rows: Float64Array;
  readonly meta: Buffer;
  private readonly cap: number;
  private head = 0;
  /** Times the producer had to wait for room. */
  waits = 0;

  constructor(shared: RingShared) {
    this.ctl = new Int32Array(shared.control);
    this.rows = new Float64Array(shared.rows);
    this.meta = Buffer.from(shared.meta);
    this.cap = shared.capacity;
  }

  /** Index (in rows) of the next free row, waiting for room if the ring is full. */
  reserve(): number {
    const ctl = this.ctl;
    while (((this.head - Atomics.load(ctl, Ctl.Tail)) | 0) >= this.cap) {
      this.waits++;
      Atomics.store(ctl, Ctl.Full, 1);
      Atomics.wait(ctl, Ctl.Tail, Atomics.load(ctl, Ctl.Tail), 20);
    }
    return (this.head % this.cap) * RAW_FIELDS;
  }

  /** Byte offset in meta of the slot of the row at index row (as returned by reserve()). */
  metaOffset(row: number): number {
    return (row / RAW_FIELDS) * META_ROOM;
  }

  /** Makes the reserved row visible to the consumer. */
  publish(): void {
    this.head = (this.head + 1) | 0;
    Atomics.store(this.ctl, Ctl.Head, this.head);
    // Waking the consumer is a system call: do it once per 64 rows (the consumer also wakes by
    // itself every 20 ms), or at once when the ring is half full.
    if ((this.head & 63) === 0 || ((this.head - Atomics.load(this.ctl, Ctl.Tail)) | 0) >= this.cap >> 1) {
      if (Atomics.load(this.ctl, Ctl.Sleeping) === 1) Atomics.notify(this.ctl, Ctl.Head);
    }
  }

  close(): void {
    Atomics.store(this.ctl, Ctl.Closed, 1);
    Atomics.notify(this.ctl, Ctl.Head);
  }
}

export class RingConsumer {
  private readonly ctl: Int32Array;
  readonly rows: Float64Array;
  readonly meta: Buffer;
  private readonly cap: number;
  private tail = 0;

  constructor(shared: RingShared) {
    this.ctl = new Int32Array(shared.control);
    this.rows = new Float64Array(shared.rows);
    this.meta = Buffer.from(shared.meta);
    this.cap = shared.capacity;
  }

  /**
   * Waits for rows; returns how many are ready (from next()), or 0 when the
   * producer has closed and everything was consumed.
   */
  wait(): number {
    const ctl = this.ctl;
    for (;;) {
      const n = (Atomics.load(ctl, Ctl.Head) - this.tail) | 0;
      if (n > 0) return n;
      if (Atomics.load(ctl, Ctl.Closed) === 1 && ((Atomics.load(ctl, Ctl.Head) - this.tail) | 0) === 0) return 0;
      Atomics.store(ctl, Ctl.Sleeping, 1);
      Atomics.wait(ctl, Ctl.Head, this.tail, 20);
      Atomics.store(ctl, Ctl.Sleeping, 0);
    }
  }

  /** Row index of the oldest unconsumed row. */
  next(): number {
    return (this.tail % this.cap) * RAW_FIELDS;
  }

  /** Byte offset in meta of the slot of the row at index row (as returned by next()). */
  metaOffset(row: number): number {
    return (row / RAW_FIELDS) * META_ROOM;
  }

  /** Frees the oldest n rows. */
  release(n: number): void {
    this.tail = (this.tail + n) | 0;
    Atomics.store(this.ctl, Ctl.Tail, this.tail);
    if (Atomics.load(this.ctl, Ctl.Full) === 1) {
      Atomics.store(this.ctl, Ctl.Full, 0);
      Atomics.notify(this.ctl, Ctl.Tail);
    }
  }
}
