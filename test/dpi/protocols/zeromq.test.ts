/**
 * Tests for the ZeroMQ dissector: the ZMTP greeting signature. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as zeromq } from '../../../src/dpi/protocols/zeromq';

const only = [zeromq];

// ZMTP 3.0 greeting: signature, version 3.0, mechanism "NULL", as-server 0, filler (64 bytes).
const GREETING = hex(`
  ff00000000000000017f03004e554c4c00000000000000000000000000000000
  0000000000000000000000000000000000000000000000000000000000000000
`);

test('zeromq: a ZMTP 3.0 greeting is ZeroMQ', () => {
  const r = dissect({ serverPort: 5555, dissectors: only }, [
    { payload: GREETING },
    { dir: 1, payload: GREETING },
  ]);
  assert.equal(r.name, 'ZeroMQ');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('zeromq: the signature sent alone first is ZeroMQ', () => {
  const r = dissect({ serverPort: 5555, dissectors: only }, [
    { payload: GREETING.subarray(0, 10) },
  ]);
  assert.equal(r.name, 'ZeroMQ');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('zeromq: near miss: a signature with other padding is not ZeroMQ', () => {
  const r = dissect({ serverPort: 5555, dissectors: only }, [
    { payload: Buffer.concat([hex('ff01'), GREETING.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('zeromq: near miss: a major version 9 is not ZeroMQ', () => {
  const r = dissect({ serverPort: 5555, dissectors: only }, [
    { payload: Buffer.concat([GREETING.subarray(0, 10), hex('09'), GREETING.subarray(11)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('zeromq: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 5555, dissectors: only }, [{ payload: GREETING }, { dir: 1, payload: GREETING }], 'ZeroMQ');
});
