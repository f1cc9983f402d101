/**
 * Tests for the Controller_Area_Network dissector: the "ISO11898" header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as can } from '../../../src/dpi/protocols/can';

const only = [can];

// CAN over IP: signature, version 1, one frame (id 0x123, 8 data bytes).
const FRAME = hex(`49534f3131383938010100000123080102030405060708`);

test('can: a CAN over IP datagram is Controller_Area_Network', () => {
  const r = dissect({ l4: 'udp', serverPort: 20000, dissectors: only }, [
    { payload: FRAME },
  ]);
  assert.equal(r.name, 'Controller_Area_Network');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('can: a bad version still identifies CAN but raises Malformed Packet', () => {
  const r = dissect({ serverPort: 20000, dissectors: only }, [
    { payload: Buffer.concat([FRAME.subarray(0, 8), hex('02'), FRAME.subarray(9)]) },
  ]);
  assert.equal(r.name, 'Controller_Area_Network');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Malformed Packet'));
  assert.deepEqual(r.undeclared, []);
});

test('can: near miss: another signature is not Controller_Area_Network', () => {
  const r = dissect({ l4: 'udp', serverPort: 20000, dissectors: only }, [
    { payload: Buffer.concat([Buffer.from('ISO11899', 'latin1'), FRAME.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('can: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 20000, dissectors: only }, [{ payload: FRAME }], 'Controller_Area_Network');
});
