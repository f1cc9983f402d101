/**
 * The slot order and free list shared by the source index and the endpoint
 * cache (src/util/slot-list.ts): free slots come lowest first, growing keeps
 * the order, both ends can be added to, unlinking mends the links, and a
 * released slot is the next one taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NIL, SlotList } from '../../src/util/slot-list';

function order(l: SlotList): number[] {
  const out: number[] = [];
  for (let s = l.head; s !== NIL; s = l.next[s]) out.push(s);
  const back: number[] = [];
  for (let s = l.tail; s !== NIL; s = l.prev[s]) back.push(s);
  assert.deepEqual(back.reverse(), out, 'prev links agree with next links');
  return out;
}

test('free slots are taken lowest first, and none is left once all are taken', () => {
  const l = new SlotList();
  assert.equal(l.take(), NIL);
  l.grow(3);
  assert.deepEqual([l.take(), l.take(), l.take(), l.take()], [0, 1, 2, NIL]);
});

test('both ends, unlink anywhere, growth keeps the order, a released slot is taken next', () => {
  const l = new SlotList();
  l.grow(4);
  for (let i = 0; i < 4; i++) {
    const s = l.take();
    if (i % 2 === 0) l.pushBack(s);
    else l.pushFront(s);
  }
  assert.deepEqual(order(l), [3, 1, 0, 2]);
  l.unlink(1);
  l.unlink(2);
  assert.deepEqual(order(l), [3, 0]);
  l.release(2);
  assert.equal(l.take(), 2);
  l.grow(6);
  assert.deepEqual(order(l), [3, 0]);
  assert.deepEqual([l.take(), l.take(), l.take()], [4, 5, NIL]);
  l.unlink(3);
  l.unlink(0);
  assert.deepEqual(order(l), []);
  assert.equal(l.head, NIL);
  assert.equal(l.tail, NIL);
});
