/**
 * Tests for the Gearman dissector: binary packet headers. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as gearman } from '../../../src/dpi/protocols/gearman';

const only = [gearman];

// SUBMIT_JOB request: function "reverse", unique id "", data "hello".
const SUBMIT_JOB = hex(`00524551000000070000000e72657665727365000068656c6c6f`);

// JOB_CREATED response with handle "H:lap:1".
const JOB_CREATED = hex(`005245530000000800000007483a6c61703a31`);

test('gearman: SUBMIT_JOB and JOB_CREATED are Gearman', () => {
  const r = dissect({ serverPort: 4730, dissectors: only }, [
    { payload: SUBMIT_JOB },
    { dir: 1, payload: JOB_CREATED },
  ]);
  assert.equal(r.name, 'Gearman');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('gearman: near miss: an unknown packet type is not Gearman', () => {
  const r = dissect({ serverPort: 4730, dissectors: only }, [
    { payload: Buffer.concat([SUBMIT_JOB.subarray(0, 4), hex('00000063'), SUBMIT_JOB.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('gearman: near miss: a data size beyond a short segment is not Gearman', () => {
  const r = dissect({ serverPort: 4730, dissectors: only }, [
    { payload: Buffer.concat([SUBMIT_JOB.subarray(0, 8), hex('000000ff'), SUBMIT_JOB.subarray(12)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('gearman: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4730, dissectors: only }, [{ payload: SUBMIT_JOB }, { dir: 1, payload: JOB_CREATED }], 'Gearman');
});
