/**
 * Labels remembered by endpoint (transport, address, port) for the DPI
 * engine's cache label: a bounded map that keeps its entries in the order
 * they were last set and forgets the oldest when full, like a Map whose set()
 * first deletes the key. Entries live in typed arrays (allocated on the first
 * set()) found through an open-addressing table with linear probing
 * (util/probe-table.ts), in set order (util/slot-list.ts); get() and set()
 * allocate nothing.
 */
import { insertIntoProbeTable, removeFromProbeTable } from '../util/probe-table';
import { NIL, SlotList } from '../util/slot-list';

/** Words per entry in `keys`: transport | IP version << 8 | port << 12, then 4 address words. */
const KEY_WORDS = 5;

export class EndpointCache {
  readonly capacity: number;
  /** Entries held. */
  size = 0;
  private keys = new Int32Array(0);
  private values = new Int32Array(0);
  private hash = new Int32Array(0);
  /** Set order: oldest at head. */
  private readonly order = new SlotList();
  private buckets = new Int32Array(0);
  private mask = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /**
   * The value set for the endpoint (transport l4, IP version ipv, address
   * words addr[off...] (one for IPv4, four for IPv6), port), or -1.
   */
  get(l4: number, ipv: number, addr: Int32Array, off: number, port: number): number {
    if (this.size === 0) return -1;
    const s = this.find(l4 | (ipv << 8) | (port << 12), ipv, addr, off);
    return s === NIL ? -1 : this.values[s];
  }

  /** Sets the endpoint's value (a non-negative int32) and makes it the newest entry; the oldest goes when full. */
  set(l4: number, ipv: number, addr: Int32Array, off: number, port: number, value: number): void {
    if (this.buckets.length === 0) this.allocate();
    const meta = l4 | (ipv << 8) | (port << 12);
    let s = this.find(meta, ipv, addr, off);
    if (s !== NIL) {
      this.order.unlink(s);
    } else {
      if (this.size === this.capacity) this.remove(this.order.head);
      s = this.order.take();
      const k = s * KEY_WORDS;
      const v6 = ipv === 6;
      this.keys[k] = meta;
      this.keys[k + 1] = addr[off];
      this.keys[k + 2] = v6 ? addr[off + 1] : 0;
      this.keys[k + 3] = v6 ? addr[off + 2] : 0;
      this.keys[k + 4] = v6 ? addr[off + 3] : 0;
      const h = hashKey(this.keys, k);
      this.hash[s] = h;
      insertIntoProbeTable(this.buckets, this.mask, h, s);
      this.size++;
    }
    this.values[s] = value;
    this.order.pushBack(s);
  }

  private allocate(): void {
    const n = this.capacity;
    this.keys = new Int32Array(n * KEY_WORDS);
    this.values = new Int32Array(n);
    this.hash = new Int32Array(n);
    this.order.grow(n);
    let nb = 16;
    while (nb < n * 2) nb *= 2;
    this.buckets = new Int32Array(nb);
    this.mask = nb - 1;
  }

  private find(meta: number, ipv: number, addr: Int32Array, off: number): number {
    const v6 = ipv === 6;
    const a0 = addr[off];
    const a1 = v6 ? addr[off + 1] : 0;
    const a2 = v6 ? addr[off + 2] : 0;
    const a3 = v6 ? addr[off + 3] : 0;
    const h = hashWords(meta, a0, a1, a2, a3);
    const keys = this.keys;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.buckets[i];
      if (e === 0) return NIL;
      const s = e - 1;
      const k = s * KEY_WORDS;
      if (this.hash[s] === h && keys[k] === meta && keys[k + 1] === a0 && keys[k + 2] === a1 && keys[k + 3] === a2 && keys[k + 4] === a3) return s;
    }
  }

  private remove(s: number): void {
    removeFromProbeTable(this.buckets, this.hash, this.mask, s);
    this.order.unlink(s);
    this.order.release(s);
    this.size--;
  }
}

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return h ^ (h >>> 15);
}

function hashWords(meta: number, a0: number, a1: number, a2: number, a3: number): number {
  return mix(mix(mix(mix(mix(0x2545f491, meta), a0), a1), a2), a3);
}

function hashKey(keys: Int32Array, k: number): number {
  return hashWords(keys[k], keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]);
}
