/**
 * A bounded single-producer/single-consumer ring of raw records (rows of
 * RAW_FIELDS doubles) in a SharedArrayBuffer, between the packet thread and
 * the export thread. The producer blocks (Atomics.wait) when the ring is full,
 * so an export thread short of CPU slows capture down instead of growing
 * memory; the consumer waits without blocking its event loop
 * (Atomics.waitAsync) when the ring is empty, waking by itself every few
 * milliseconds (and at once when the producer closes). A consumer that fails abandons the ring, so the producer never
 * waits for it again (its rows are then lost, and the failure is reported by
 * the export thread).
 *
 * Several producers (worker threads, `-n N`) each have a ring of their own,
 * read by the one export thread; their rings share a doorbell word: a
 * producer rings it when it closes or finds its ring full, so the export
 * thread, asleep while every ring was empty (waitBell), reads at once.
 */
import { waitAsync } from '../util/wait-async';
import { META_ROOM, RAW_FIELDS } from './raw-record';

const enum Ctl {
  /** Rows published by the producer (wraps at 2^31). */
  Head = 0,
  /** Rows consumed. */
  Tail = 1,
  /** The producer will publish no more. */
  Closed = 2,
  /** The producer is waiting for room. */
  Full = 3,
  /** The consumer has stopped for good (failed). */
  Gone = 4,
  Count = 5,
}

export interface RingShared {
  control: SharedArrayBuffer;
  /** The doorbell shared by the rings of one consumer (several producers); absent with one ring. */
  bell?: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  /** META_ROOM bytes per row: the record's DPI text fields. */
  meta: SharedArrayBuffer;
  capacity: number;
}

export function createRing(capacity: number, bell?: SharedArrayBuffer): RingShared {
  return {
    control: new SharedArrayBuffer(Ctl.Count * 4),
    ...(bell !== undefined ? { bell } : {}),
    rows: new SharedArrayBuffer(capacity * RAW_FIELDS * 8),
    meta: new SharedArrayBuffer(capacity * META_ROOM),
    capacity,
  };
}

/** A doorbell for the rings of one consumer (createRing's `bell`). */
export function createBell(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

function ring(bell: Int32Array | null): void {
  if (bell === null) return;
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

/** Waits (without blocking the event loop) until a producer rings the bell, or sliceMs. */
export async function waitBell(bell: SharedArrayBuffer, seen: number, sliceMs: number): Promise<void> {
  const r = waitAsync(new Int32Array(bell), 0, seen, sliceMs);
  if (r.async) await r.value;
}

/** The bell's current value (read before checking the rings, then given to waitBell). */
export function bellValue(bell: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(bell), 0);
}

/** Closes a ring whose producer thread ended without closing it (its unpublished rows are lost). */
export function closeAbandonedRing(shared: RingShared): void {
  Atomics.store(new Int32Array(shared.control), Ctl.Closed, 1);
  Atomics.notify(new Int32Array(shared.control), Ctl.Head);
  if (shared.bell !== undefined) ring(new Int32Array(shared.bell));
}

export class RingProducer {
  private readonly ctl: Int32Array;
  private readonly bell: Int32Array | null;
  readonly rows: Float64Array;
  readonly meta: Buffer;
  private readonly cap: number;
  private head = 0;
  /** Times the producer had to wait for room. */
  waits = 0;
  /** Tail as last read: rows before it are known free, so the shared word is read only when the ring looks full. */
  private tailSeen = 0;
  /** Rows published after the consumer abandoned the ring (never read). */
  lost = 0;

  constructor(shared: RingShared) {
    this.ctl = new Int32Array(shared.control);
    this.bell = shared.bell !== undefined ? new Int32Array(shared.bell) : null;
    this.rows = new Float64Array(shared.rows);
    this.meta = Buffer.from(shared.meta);
    this.cap = shared.capacity;
  }

  /** Index (in rows) of the next free row, waiting for room if the ring is full. */
  reserve(): number {
    const ctl = this.ctl;
    if (((this.head - this.tailSeen) | 0) < this.cap) return (this.head % this.cap) * RAW_FIELDS;
    while (((this.head - (this.tailSeen = Atomics.load(ctl, Ctl.Tail))) | 0) >= this.cap) {
      if (Atomics.load(ctl, Ctl.Gone) === 1) {
        this.lost++;
        break;
      }
      this.waits++;
      Atomics.store(ctl, Ctl.Full, 1);
      ring(this.bell);
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
    // The consumer is not woken per row: it wakes by itself every few milliseconds (RingConsumer.wait),
    // and the ring holds thousands of rows. Waking a thread that waits with Atomics.waitAsync costs
    // a millisecond or more of this thread's time, which per record would rival the packet work.
  }

  close(): void {
    Atomics.store(this.ctl, Ctl.Closed, 1);
    Atomics.notify(this.ctl, Ctl.Head);
    ring(this.bell);
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

  /** Rows ready now (from next()); 0 when none yet; -1 when the producer has closed and everything was consumed. */
  poll(): number {
    const n = (Atomics.load(this.ctl, Ctl.Head) - this.tail) | 0;
    if (n > 0) return n;
    if (Atomics.load(this.ctl, Ctl.Closed) === 1 && ((Atomics.load(this.ctl, Ctl.Head) - this.tail) | 0) === 0) return -1;
    return 0;
  }

  /**
   * Waits for rows without blocking the thread's event loop; resolves to how
   * many are ready, or to -1 when the producer has closed and everything was
   * consumed. Wakes by itself every `sliceMs` even if not notified.
   */
  async wait(sliceMs = 20): Promise<number> {
    const ctl = this.ctl;
    for (;;) {
      const n = this.poll();
      if (n !== 0) return n;
      const r = waitAsync(ctl, Ctl.Head, this.tail, sliceMs);
      if (r.async) await r.value;
    }
  }

  /** The consumer stops for good: the producer will not wait for room any more. */
  abandon(): void {
    Atomics.store(this.ctl, Ctl.Gone, 1);
    Atomics.notify(this.ctl, Ctl.Tail);
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

