/**
 * A bounded single-producer/single-consumer ring of raw records (rows of
 * RAW_FIELDS doubles, and each record's DPI text in a byte area where
 * records follow each other: metaBytesFor()) in SharedArrayBuffers, between
 * the packet thread and the export thread. The producer blocks (Atomics.wait) when the ring is full,
 * (no free row, or no META_ROOM bytes of text area),
 * so an export thread short of CPU slows capture down instead of growing
 * memory; the consumer waits without blocking its event loop
 * (Atomics.waitAsync) when the ring is empty, waking by itself every few
 * milliseconds (and at once when the producer closes). A consumer that fails abandons the ring, so the producer never
 * waits for it again (its rows are then lost, and the failure is reported by
 * the export thread).
 *
 * The consumer sleeps on a doorbell word (waitBell), in slices of a few
 * milliseconds: a producer rings it only when it closes or finds its ring
 * full, never per row. Several producers (worker threads, `-n N`) each have
 * a ring of their own, read by the one export thread; their rings share one
 * doorbell.
 */
import { storeAndWake, waitAsync } from '../util/wait-async';
import { META_ROOM, Raw, RAW_FIELDS } from './raw-record';

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
  /** Meta bytes consumed (a wrapping count, as Head and Tail). */
  MetaTail = 5,
  Count = 6,
}

export interface RingShared {
  control: SharedArrayBuffer;
  /** The doorbell of the consumer (shared by all the rings it reads). */
  bell: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  /** The records' DPI text fields, back to back (metaBytesFor()). */
  meta: SharedArrayBuffer;
  capacity: number;
}

export function createRing(capacity: number, bell: SharedArrayBuffer = createBell()): RingShared {
  return {
    control: new SharedArrayBuffer(Ctl.Count * 4),
    bell,
    rows: new SharedArrayBuffer(capacity * RAW_FIELDS * 8),
    meta: new SharedArrayBuffer(metaBytesFor(capacity)),
    capacity,
  };
}

/**
 * Size of a ring's meta area: 1 KiB per row on average (a power of two, at
 * least 4 slots of META_ROOM). A record takes only the bytes it wrote
 * (rounded up to 8), so records follow each other densely, and the writes of
 * the packet thread stream through memory (with a fixed META_ROOM slot per
 * row, each record touched a new page: half of the cost of writing it);
 * a run of records larger than the average waits for room like a full ring.
 */
export function metaBytesFor(capacity: number): number {
  let n = 4 * META_ROOM;
  while (n < capacity * 1024) n *= 2;
  return n;
}

/** Meta bytes a record of `len` bytes takes. */
function metaSpan(len: number): number {
  return (len + 7) & ~7;
}

/** A doorbell for the rings of one consumer (createRing's `bell`). */
export function createBell(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

function ring(bell: Int32Array): void {
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
  ring(new Int32Array(shared.bell));
}

export class RingProducer {
  private readonly ctl: Int32Array;
  private readonly bell: Int32Array;
  readonly rows: Float64Array;
  readonly meta: Buffer;
  private readonly cap: number;
  private readonly metaMask: number;
  private head = 0;
  /** Meta bytes written (a wrapping count) and where the reserved record's meta starts in the area. */
  private metaHead = 0;
  private metaPos = 0;
  /** Times the producer had to wait for room. */
  waits = 0;
  /** Tail as last read: rows before it are known free, so the shared word is read only when the ring looks full. */
  private tailSeen = 0;
  private metaTailSeen = 0;
  /** Rows published after the consumer abandoned the ring (never read). */
  lost = 0;

  constructor(shared: RingShared) {
    this.ctl = new Int32Array(shared.control);
    this.bell = new Int32Array(shared.bell);
    this.rows = new Float64Array(shared.rows);
    this.meta = Buffer.from(shared.meta);
    this.cap = shared.capacity;
    this.metaMask = shared.meta.byteLength - 1;
  }

  /**
   * Index (in rows) of the next free row, with META_ROOM bytes of meta
   * (metaOffset()) that do not wrap, waiting for room if the ring is full.
   */
  reserve(): number {
    const ctl = this.ctl;
    const metaBytes = this.metaMask + 1;
    const pos = this.metaHead & this.metaMask;
    const skip = pos + META_ROOM > metaBytes ? metaBytes - pos : 0;
    const need = skip + META_ROOM;
    while (((this.head - this.tailSeen) | 0) >= this.cap || ((this.metaHead - this.metaTailSeen) | 0) + need > metaBytes) {
      this.metaTailSeen = Atomics.load(ctl, Ctl.MetaTail);
      this.tailSeen = Atomics.load(ctl, Ctl.Tail);
      if (((this.head - this.tailSeen) | 0) < this.cap && ((this.metaHead - this.metaTailSeen) | 0) + need <= metaBytes) break;
      if (Atomics.load(ctl, Ctl.Gone) === 1) {
        this.lost++;
        break;
      }
      this.waits++;
      Atomics.store(ctl, Ctl.Full, 1);
      // The consumer may be asleep for up to its wait slice: wake it now (rare: only when the ring is full).
      ring(this.bell);
      Atomics.wait(ctl, Ctl.Tail, this.tailSeen, 20);
    }
    this.metaHead = (this.metaHead + skip) | 0;
    this.metaPos = this.metaHead & this.metaMask;
    return (this.head % this.cap) * RAW_FIELDS;
  }

  /** Byte offset in meta of the slot of the row just reserved (META_ROOM bytes). */
  metaOffset(): number {
    return this.metaPos;
  }

  /** Makes the reserved row (its MetaLen set) visible to the consumer. */
  publish(): void {
    const row = (this.head % this.cap) * RAW_FIELDS;
    this.rows[row + Raw.MetaStart] = this.metaHead;
    this.metaHead = (this.metaHead + metaSpan(this.rows[row + Raw.MetaLen])) | 0;
    this.head = (this.head + 1) | 0;
    Atomics.store(this.ctl, Ctl.Head, this.head);
    // The consumer is not woken per row: it wakes by itself every few milliseconds (waitBell),
    // and the ring holds thousands of rows. Waking a thread that waits with Atomics.waitAsync costs
    // a millisecond or more of this thread's time, which per record would rival the packet work.
  }

  close(): void {
    Atomics.store(this.ctl, Ctl.Closed, 1);
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
    return this.rows[row + Raw.MetaStart] & (this.meta.length - 1);
  }

  /** Frees the oldest n rows (n > 0) and their meta bytes. */
  release(n: number): void {
    const last = ((this.tail + n - 1) % this.cap) * RAW_FIELDS;
    Atomics.store(this.ctl, Ctl.MetaTail, (this.rows[last + Raw.MetaStart] + metaSpan(this.rows[last + Raw.MetaLen])) | 0);
    this.tail = (this.tail + n) | 0;
    storeAndWake(this.ctl, Ctl.Tail, this.tail, Ctl.Full);
  }
}

