/**
 * The slots of a table kept in typed arrays (slot numbers index the owner's
 * arrays): a doubly linked order over the slots in use (most recently used
 * first, or oldest first: the owner says which end it adds to) and the list
 * of free slots, threaded through the same `next` array. Used by the flow
 * table (record-start order), the alert detector's source index and the DPI
 * endpoint cache; nothing is allocated except by grow().
 */
import { grown } from './typed-grow';

export const NIL = -1;

export class SlotList {
  capacity = 0;
  next = new Int32Array(0);
  prev = new Int32Array(0);
  head = NIL;
  tail = NIL;
  private free = NIL;

  /** Room for `cap` slots, keeping the order; the new slots are free (the lowest first). */
  grow(cap: number): void {
    this.next = grown(this.next, cap);
    this.prev = grown(this.prev, cap);
    for (let s = cap - 1; s >= this.capacity; s--) this.release(s);
    this.capacity = cap;
  }

  /** A free slot taken off the free list, or NIL when every slot is in use. */
  take(): number {
    const s = this.free;
    if (s !== NIL) this.free = this.next[s];
    return s;
  }

  /** Gives back a slot that is not in the order (unlink() it first). */
  release(s: number): void {
    this.next[s] = this.free;
    this.free = s;
  }

  pushFront(s: number): void {
    this.prev[s] = NIL;
    this.next[s] = this.head;
    if (this.head !== NIL) this.prev[this.head] = s;
    else this.tail = s;
    this.head = s;
  }

  pushBack(s: number): void {
    this.next[s] = NIL;
    this.prev[s] = this.tail;
    if (this.tail !== NIL) this.next[this.tail] = s;
    else this.head = s;
    this.tail = s;
  }

  unlink(s: number): void {
    const p = this.prev[s];
    const n = this.next[s];
    if (p !== NIL) this.next[p] = n;
    else this.head = n;
    if (n !== NIL) this.prev[n] = p;
    else this.tail = p;
  }
}
