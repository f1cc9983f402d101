/**
 * Tests for the PFCP dissector: the PFCP message header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as pfcp } from '../../../src/dpi/protocols/pfcp';

const only = [pfcp];

// Heartbeat Request with a Recovery Time Stamp IE.
const HEARTBEAT = hex(`2001000c0000010000600004e5f3c2a1`);

// Session Establishment Request (S flag, SEID 1) with a Node ID IE.
const SESSION_EST = hex(`21320015000000000000000100000200003c000500c0a80001`);

test('pfcp: a Heartbeat Request is PFCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8805, dissectors: only }, [
    { payload: HEARTBEAT },
  ]);
  assert.equal(r.name, 'PFCP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('pfcp: a Session Establishment Request is PFCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8805, dissectors: only }, [
    { payload: SESSION_EST },
  ]);
  assert.equal(r.name, 'PFCP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('pfcp: near miss: version 2 is not PFCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8805, dissectors: only }, [
    { payload: Buffer.concat([hex('40'), HEARTBEAT.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('pfcp: near miss: a node message with a SEID flag is not PFCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8805, dissectors: only }, [
    { payload: Buffer.concat([hex('21'), HEARTBEAT.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('pfcp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 8805, dissectors: only }, [{ payload: HEARTBEAT }], 'PFCP');
  truncations({ l4: 'udp', serverPort: 8805, dissectors: only }, [{ payload: SESSION_EST }], 'PFCP');
});
