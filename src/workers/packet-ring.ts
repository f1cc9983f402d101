/**
 * A bounded single-producer/single-consumer ring of captured frames in a
 * SharedArrayBuffer, from the capture thread (the dispatcher) to one worker
 * thread. Same conventions as the record ring (src/export/record-ring.ts):
 * control words in their own small buffer, a Closed flag set by the
 * producer, a Gone flag set by a consumer that stopped for good.
 *
 * Layout: `data` holds frames back to back, each 8-byte aligned: a 24-byte
 * header (int32 linkType, int32 caplen, uint32 wireLen, int32 unused,
 * float64 tsMs), then the caplen bytes. A negative linkType is a marker:
 * WRAP (the rest of the buffer is unused, continue at its start) and TICK
 * (run expiry at tsMs: the dispatcher's packet clock, see dispatcher.ts).
 * Head and Tail count bytes (wrapping at 2^32; the capacity is a power of
 * two, so a position is the count masked).
 *
 * Costs: the producer copies each frame once (nothing is allocated for
 * frames up to 2 KiB),
 * publishes Head once per PUBLISH_BYTES or when told to (publish()), not per
 * frame, and wakes the consumer (Atomics.notify) only when the consumer said
 * it is going to sleep; the consumer hands out views into the shared buffer
 * (no copy) and frees space in RELEASE_BYTES steps, waking the producer only
 * when it said the ring was full.
 *
 * Waiting: the producer blocks its thread (Atomics.wait, in 20 ms slices)
 * when the ring is full: for live capture that back-pressures into the
 * capture pipe and the kernel's ring, where drops are counted. The consumer
 * waits with Atomics.waitAsync, so its event loop keeps running timers (live
 * expiry, counters). A consumer that fails calls abandon(): the producer
 * then stops waiting and counts the frames meant for it as lost. A consumer
 * that dies without saying so (killed thread) is noticed when the ring has
 * stayed full for STALL_MS without the consumer's heartbeat moving.
 */
import { storeAndWake, waitAsync } from '../util/wait-async';

const enum Ctl {
  /** Bytes published by the producer. */
  Head = 0,
  /** Bytes released by the consumer. */
  Tail = 1,
  /** The producer will publish no more. */
  Closed = 2,
  /** The producer is waiting for room. */
  Full = 3,
  /** The consumer is about to wait for frames. */
  Sleeping = 4,
  /** The consumer has stopped for good. */
  Gone = 5,
  /** Changed by the consumer whenever it makes progress or wakes up. */
  Beat = 6,
  Count = 7,
}

export const FRAME_HEADER = 24;

/** Marker "linkType" values. */
export const enum Mark {
  Wrap = -1,
  Tick = -2,
}

export const DEFAULT_PACKET_RING_BYTES = 4 * 1024 * 1024;
/** Head is published at least this often (in bytes written). */
const PUBLISH_BYTES = 64 * 1024;
/** Tail is released at least this often (in bytes consumed). */
const RELEASE_BYTES = 256 * 1024;
/** Frames up to this size are copied word by word (no allocation); longer ones with Buffer.copy. */
const WORD_COPY_MAX = 2048;
/** Int32Array words are in the platform's byte order: read the source in the same order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** A full ring whose consumer shows no sign of life for this long is taken as gone. */
export const STALL_MS = 15_000;

export interface PacketRingShared {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  capacity: number;
}

export function createPacketRing(capacity = DEFAULT_PACKET_RING_BYTES): PacketRingShared {
  if (!Number.isInteger(capacity) || capacity < 4096 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`packet ring capacity must be a power of two >= 4096, got ${capacity}`);
  }
  return { control: new SharedArrayBuffer(Ctl.Count * 4), data: new SharedArrayBuffer(capacity), capacity };
}

/** Largest frame kept whole: a quarter of the ring (longer frames are cut, as by a snap length). */
export function maxFrameBytes(capacity: number): number {
  return capacity / 4 - FRAME_HEADER;
}

/** The typed views both ends of a ring keep of its shared memory. */
abstract class PacketRingEnd {
  protected readonly ctl: Int32Array;
  protected readonly i32: Int32Array;
  protected readonly f64: Float64Array;
  protected readonly cap: number;
  protected readonly mask: number;

  constructor(shared: PacketRingShared) {
    this.ctl = new Int32Array(shared.control);
    this.i32 = new Int32Array(shared.data);
    this.f64 = new Float64Array(shared.data);
    this.cap = shared.capacity;
    this.mask = shared.capacity - 1;
  }
}

export class PacketRingProducer extends PacketRingEnd {
  private readonly bytes: Uint8Array;
  private readonly maxFrame: number;
  private head = 0;
  private published = 0;
  /** Tail as last read: bytes before it are known free. */
  private tailSeen = 0;
  private gone = false;
  /** The source buffer last copied from, and a DataView of it. */
  private srcBuf: Buffer | null = null;
  private srcView: DataView | null = null;
  /** Times the producer waited for room. */
  waits = 0;
  /** Frames not delivered because the consumer had stopped. */
  lost = 0;
  /** Frames longer than maxFrameBytes(), cut to it. */
  cut = 0;
  /** Stall limit (tests shorten it). */
  stallMs = STALL_MS;

  constructor(shared: PacketRingShared) {
    super(shared);
    this.bytes = new Uint8Array(shared.data);
    this.maxFrame = maxFrameBytes(shared.capacity);
  }

  /** The consumer stopped (abandoned the ring, or stalled): frames for it are dropped and counted. */
  get consumerGone(): boolean {
    return this.gone;
  }

  /** Bytes written but not yet published. */
  get unpublished(): number {
    return (this.head - this.published) | 0;
  }

  /** Copies a frame into the ring (waiting for room); false when the consumer is gone (the frame is lost). */
  push(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): boolean {
    let len = caplen;
    if (len > this.maxFrame) {
      len = this.maxFrame;
      this.cut++;
    }
    const p = this.reserve(FRAME_HEADER + ((len + 7) & ~7));
    if (p < 0) {
      this.lost++;
      return false;
    }
    const w = p >> 2;
    const i32 = this.i32;
    i32[w] = linkType;
    i32[w + 1] = len;
    i32[w + 2] = wireLen;
    this.f64[(p >> 3) + 2] = tsMs;
    if (len <= WORD_COPY_MAX) this.copyWords(buf, off, len, p + FRAME_HEADER);
    else buf.copy(this.bytes, p + FRAME_HEADER, off, off + len);
    if (((this.head - this.published) | 0) >= PUBLISH_BYTES) this.publish();
    return true;
  }

  /**
   * Copies a small frame 4 bytes at a time through a DataView of the
   * source (kept while the source hands over views of the same buffer):
   * Buffer.copy of a sub-range allocates a view per call in Node 20.
   */
  private copyWords(buf: Buffer, off: number, len: number, to: number): void {
    if (buf !== this.srcBuf) {
      this.srcBuf = buf;
      this.srcView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const dv = this.srcView as DataView;
    const i32 = this.i32;
    const w = to >> 2;
    const words = len >> 2;
    for (let k = 0; k < words; k++) i32[w + k] = dv.getInt32(off + (k << 2), LITTLE_ENDIAN);
    const bytes = this.bytes;
    for (let i = words << 2; i < len; i++) bytes[to + i] = buf[off + i];
  }

  /** A marker without bytes (Mark.Tick: run expiry at tsMs). */
  mark(kind: Mark, tsMs: number): boolean {
    const p = this.reserve(FRAME_HEADER);
    if (p < 0) return false;
    const w = p >> 2;
    this.i32[w] = kind;
    this.i32[w + 1] = 0;
    this.i32[w + 2] = 0;
    this.f64[(p >> 3) + 2] = tsMs;
    return true;
  }

  /** Room for a record of `need` bytes (wrapping if it does not fit before the end); its position, or -1 when gone. */
  private reserve(need: number): number {
    let pos = this.head & this.mask;
    const toEnd = this.cap - pos;
    const total = toEnd < need ? toEnd + need : need;
    if (((this.head - this.tailSeen) | 0) + total > this.cap && !this.waitForRoom(total)) return -1;
    if (toEnd < need) {
      this.i32[pos >> 2] = Mark.Wrap;
      this.head = (this.head + toEnd) | 0;
      pos = 0;
    }
    this.head = (this.head + need) | 0;
    return pos;
  }

  private waitForRoom(total: number): boolean {
    if (this.gone) return false;
    const ctl = this.ctl;
    this.publish();
    let beat = Atomics.load(ctl, Ctl.Beat);
    let since = Date.now();
    for (;;) {
      this.tailSeen = Atomics.load(ctl, Ctl.Tail);
      if (((this.head - this.tailSeen) | 0) + total <= this.cap) return true;
      if (Atomics.load(ctl, Ctl.Gone) === 1) {
        this.gone = true;
        return false;
      }
      this.waits++;
      Atomics.store(ctl, Ctl.Full, 1);
      Atomics.wait(ctl, Ctl.Tail, this.tailSeen, 20);
      const b = Atomics.load(ctl, Ctl.Beat);
      const now = Date.now();
      if (b !== beat || Atomics.load(ctl, Ctl.Tail) !== this.tailSeen) {
        beat = b;
        since = now;
      } else if (now - since >= this.stallMs) {
        Atomics.store(ctl, Ctl.Gone, 1);
        this.gone = true;
        return false;
      }
    }
  }

  /** Makes every frame written so far visible to the consumer (waking it if it sleeps). */
  publish(): void {
    if (this.head === this.published) return;
    this.published = this.head;
    storeAndWake(this.ctl, Ctl.Head, this.head, Ctl.Sleeping);
  }

  /** No more frames: publishes the last ones and tells the consumer. */
  close(): void {
    this.publish();
    Atomics.store(this.ctl, Ctl.Closed, 1);
    Atomics.notify(this.ctl, Ctl.Head);
  }
}

/** What the consumer hands frames to. */
export interface FrameHandler {
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void;
  /** A Mark.Tick marker. */
  onTick(tsMs: number): void;
}

export class PacketRingConsumer extends PacketRingEnd {
  /** The ring's bytes (frames are handed out as views into it). */
  readonly data: Buffer;
  private tail = 0;
  private released = 0;
  private beat = 0;

  constructor(shared: PacketRingShared) {
    super(shared);
    this.data = Buffer.from(shared.data);
  }

  /** Bytes published and not consumed; -1 when the producer has closed and everything was consumed. */
  poll(): number {
    const n = (Atomics.load(this.ctl, Ctl.Head) - this.tail) | 0;
    if (n > 0) return n;
    if (Atomics.load(this.ctl, Ctl.Closed) === 1 && ((Atomics.load(this.ctl, Ctl.Head) - this.tail) | 0) === 0) return -1;
    return 0;
  }

  /**
   * Waits for frames without blocking the event loop: resolves to the bytes
   * ready, or -1 once the producer has closed and everything was consumed,
   * or once this consumer has abandoned the ring. Wakes by itself every
   * sliceMs (for the heartbeat).
   */
  async wait(sliceMs = 50): Promise<number> {
    const ctl = this.ctl;
    for (;;) {
      this.heartbeat();
      if (Atomics.load(ctl, Ctl.Gone) === 1) return -1;
      const n = this.poll();
      if (n !== 0) return n;
      Atomics.store(ctl, Ctl.Sleeping, 1);
      const head = Atomics.load(ctl, Ctl.Head);
      if (head !== this.tail || Atomics.load(ctl, Ctl.Closed) === 1) {
        Atomics.store(ctl, Ctl.Sleeping, 0);
        continue;
      }
      const r = waitAsync(ctl, Ctl.Head, head, sliceMs);
      if (r.async) await r.value;
      Atomics.store(ctl, Ctl.Sleeping, 0);
    }
  }

  /**
   * Hands the frames ready now to the handler, at most about `budget` bytes
   * of them; returns the bytes consumed. Frames are views into `data`, valid
   * during the call only.
   */
  drain(h: FrameHandler, budget: number): number {
    const ready = (Atomics.load(this.ctl, Ctl.Head) - this.tail) | 0;
    const limit = ready < budget ? ready : budget;
    const i32 = this.i32;
    const f64 = this.f64;
    const data = this.data;
    let used = 0;
    while (used < limit) {
      const p = this.tail & this.mask;
      const kind = i32[p >> 2];
      let size: number;
      if (kind === Mark.Wrap) {
        size = this.cap - p;
      } else {
        const caplen = i32[(p >> 2) + 1];
        size = FRAME_HEADER + ((caplen + 7) & ~7);
        const ts = f64[(p >> 3) + 2];
        if (kind >= 0) h.onPacket(kind, data, p + FRAME_HEADER, caplen, i32[(p >> 2) + 2] >>> 0, ts);
        else if (kind === Mark.Tick) h.onTick(ts);
      }
      this.tail = (this.tail + size) | 0;
      used += size;
      if (((this.tail - this.released) | 0) >= RELEASE_BYTES) this.release();
    }
    this.release();
    this.heartbeat();
    return used;
  }

  private release(): void {
    if (this.tail === this.released) return;
    this.released = this.tail;
    storeAndWake(this.ctl, Ctl.Tail, this.tail, Ctl.Full);
  }

  private heartbeat(): void {
    this.beat = (this.beat + 1) | 0;
    Atomics.store(this.ctl, Ctl.Beat, this.beat);
  }

  /** The consumer stops for good: the producer will not wait for it any more. */
  abandon(): void {
    Atomics.store(this.ctl, Ctl.Gone, 1);
    Atomics.notify(this.ctl, Ctl.Tail);
  }

  /** The ring was abandoned (by this consumer, or by the producer after a stall). */
  get gone(): boolean {
    return Atomics.load(this.ctl, Ctl.Gone) === 1;
  }
}

/** Marks a ring's consumer as gone from a third thread (the consumer thread died without saying so). */
export function abandonPacketRing(shared: PacketRingShared): void {
  const ctl = new Int32Array(shared.control);
  Atomics.store(ctl, Ctl.Gone, 1);
  Atomics.notify(ctl, Ctl.Tail);
}
