/**
 * A bounded table of source addresses: maps an address (IPv4 or IPv6, as
 * 32-bit words, the way the flow table keeps them) to a slot number that
 * indexes the owner's typed arrays. Open addressing with linear probing and
 * backward-shift deletion; no strings, no objects per source.
 *
 * Slots are allocated by doubling up to `max`. At `max`, the least recently
 * used source is evicted (its owner is told first, so it can flush what the
 * source holds, e.g. a pending alert) and its slot reused: memory stays
 * bounded whatever the number of distinct sources.
 */
import { mix32 } from './distinct';
import { insertIntoProbeTable, removeFromProbeTable } from '../util/probe-table';
import { NIL, SlotList } from '../util/slot-list';
import { grown } from '../util/typed-grow';

export interface SourceOwner {
  /** The per-slot arrays must hold `cap` slots. */
  grow(cap: number): void;
  /** Slot is about to be evicted (still readable). */
  evicting(slot: number): void;
  /** Slot now belongs to a new source: clear its state. */
  reset(slot: number): void;
}

export class SourceIndex {
  readonly max: number;
  capacity = 0;
  count = 0;
  /** Sources evicted to make room. */
  evictions = 0;

  /** Address words per slot (4 per slot; IPv4 in the first). */
  addr: Int32Array = new Int32Array(0);
  ipVersion: Uint8Array = new Uint8Array(0);
  private hash: Int32Array = new Int32Array(0);
  /** Most recently used first. */
  private readonly order = new SlotList();
  private buckets: Int32Array = new Int32Array(0);
  private mask = 0;
  private readonly seed: number;
  private readonly owner: SourceOwner;

  constructor(max: number, seed: number, owner: SourceOwner, initial = 1024) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max sources must be a positive integer, got ${max}`);
    this.max = max;
    this.seed = seed | 0;
    this.owner = owner;
    this.grow(Math.min(initial, max));
  }

  private hashOf(ipv: number, a: Int32Array, off: number): number {
    let h = mix32(a[off] ^ this.seed);
    if (ipv === 6) {
      h = mix32(h ^ a[off + 1]);
      h = mix32(h ^ a[off + 2]);
      h = mix32(h ^ a[off + 3]);
    }
    return h;
  }

  private same(s: number, ipv: number, a: Int32Array, off: number): boolean {
    const k = s << 2;
    const m = this.addr;
    if (this.ipVersion[s] !== ipv || m[k] !== a[off]) return false;
    return ipv === 4 || (m[k + 1] === a[off + 1] && m[k + 2] === a[off + 2] && m[k + 3] === a[off + 3]);
  }

  /** The slot of the address, or -1. Does not change its recency. */
  find(ipv: number, a: Int32Array, off: number): number {
    const h = this.hashOf(ipv, a, off);
    const b = this.buckets;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = b[i];
      if (e === 0) return NIL;
      const s = e - 1;
      if (this.hash[s] === h && this.same(s, ipv, a, off)) return s;
    }
  }

  /** The slot of the address, created (and reset) when new; marks it most recently used. */
  acquire(ipv: number, a: Int32Array, off: number): number {
    const h = this.hashOf(ipv, a, off);
    const b = this.buckets;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = b[i];
      if (e === 0) break;
      const s = e - 1;
      if (this.hash[s] === h && this.same(s, ipv, a, off)) {
        this.touch(s);
        return s;
      }
    }
    let s = this.order.take();
    if (s === NIL) {
      if (this.capacity < this.max) this.grow(Math.min(this.capacity * 2, this.max));
      else this.evict(this.order.tail);
      s = this.order.take();
    }
    const k = s << 2;
    this.addr[k] = a[off];
    this.addr[k + 1] = ipv === 6 ? a[off + 1] : 0;
    this.addr[k + 2] = ipv === 6 ? a[off + 2] : 0;
    this.addr[k + 3] = ipv === 6 ? a[off + 3] : 0;
    this.ipVersion[s] = ipv;
    this.hash[s] = h;
    insertIntoProbeTable(this.buckets, this.mask, h, s);
    this.count++;
    this.order.pushFront(s);
    this.owner.reset(s);
    return s;
  }

  /** Marks the slot most recently used. */
  touch(s: number): void {
    if (this.order.head === s) return;
    this.order.unlink(s);
    this.order.pushFront(s);
  }

  /** Calls fn for every slot in use (for flushing at the end). */
  forEach(fn: (slot: number) => void): void {
    const next = this.order.next;
    for (let s = this.order.head; s !== NIL; ) {
      const n = next[s];
      fn(s);
      s = n;
    }
  }

  private evict(s: number): void {
    this.owner.evicting(s);
    this.evictions++;
    this.order.unlink(s);
    removeFromProbeTable(this.buckets, this.hash, this.mask, s);
    this.count--;
    this.order.release(s);
  }

  private grow(cap: number): void {
    this.addr = grown(this.addr, cap * 4);
    this.ipVersion = grown(this.ipVersion, cap);
    this.hash = grown(this.hash, cap);
    this.order.grow(cap);
    let nb = 16;
    while (nb < cap * 2) nb *= 2;
    this.buckets = new Int32Array(nb);
    this.mask = nb - 1;
    for (let s = this.order.head; s !== NIL; s = this.order.next[s]) insertIntoProbeTable(this.buckets, this.mask, this.hash[s], s);
    this.capacity = cap;
    this.owner.grow(cap);
  }

  /** Bytes of the index's own arrays per slot (for the memory figure in the docs). */
  static readonly BYTES_PER_SLOT = 16 + 1 + 4 + 4 + 4 + 2 * 4;
}
