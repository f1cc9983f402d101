/**
 * FlowDpi's per-dissector scratch states: kept per registry index, replaced
 * in place, independent of each other, and gone after reuse() or dropWork().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDpi } from '../../src/dpi/flow-dpi';

test('a dissector reads back the state it set, others see none', () => {
  const fd = new FlowDpi(200);
  assert.equal(fd.stateOf(150), undefined);
  const a = { n: 1 };
  fd.setState(150, a);
  fd.setState(3, 'x');
  assert.equal(fd.stateOf(150), a);
  assert.equal(fd.stateOf(3), 'x');
  assert.equal(fd.stateOf(0), undefined);
  assert.equal(fd.stateOf(151), undefined);
});

test('setting a state again replaces it without adding an entry', () => {
  const fd = new FlowDpi(200);
  fd.setState(7, 1);
  fd.setState(9, 2);
  fd.setState(7, 3);
  fd.setState(9, undefined);
  assert.equal(fd.stateOf(7), 3);
  assert.equal(fd.stateOf(9), undefined);
  assert.equal(fd.states?.length, 4);
});

test('reuse() and dropWork() forget every state', () => {
  const fd = new FlowDpi(200);
  fd.setState(5, 1);
  fd.reuse();
  assert.equal(fd.stateOf(5), undefined);
  fd.setState(5, 2);
  fd.dropWork();
  assert.equal(fd.stateOf(5), undefined);
});
