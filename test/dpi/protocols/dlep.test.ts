/**
 * Tests for the DLEP dissector: discovery signals and session messages with tiling data items.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as dlep } from '../../../src/dpi/protocols/dlep';

const only = [dlep];

// dlep.pcapng, UDP 10.0.0.1:57060 -> 224.0.0.117:854: Peer Discovery signal.
const DISCOVERY = hex(`444c4550000100140004001000656d756c617465642d726f75746572`);

// dlep.pcapng, TCP 10.0.0.1:51762 -> 10.0.0.2:854: Session Initialization message.
const SESSION_INIT = hex(`
  00010024000500040000ea600004001000656d756c617465642d726f75746572
  00060004fff1fff4
`);

test('dlep: a Peer Discovery signal is DLEP', () => {
  const r = dissect({ l4: 'udp', serverPort: 854, dissectors: only }, [
    { payload: DISCOVERY },
  ]);
  assert.equal(r.name, 'DLEP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dlep: a Session Initialization message is DLEP', () => {
  const r = dissect({ serverPort: 854, dissectors: only }, [
    { payload: SESSION_INIT },
  ]);
  assert.equal(r.name, 'DLEP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dlep: near miss: a data item length that overruns the signal is not DLEP', () => {
  const r = dissect({ l4: 'udp', serverPort: 854, dissectors: only }, [
    { payload: Buffer.concat([DISCOVERY.subarray(0, 10), hex('0011'), DISCOVERY.subarray(12)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dlep: near miss: an unknown message type is not DLEP', () => {
  const r = dissect({ serverPort: 854, dissectors: only }, [
    { payload: Buffer.concat([hex('0063'), SESSION_INIT.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dlep: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 854, dissectors: only }, [{ payload: DISCOVERY }], 'DLEP');
  truncations({ serverPort: 854, dissectors: only }, [{ payload: SESSION_INIT }], 'DLEP');
});
