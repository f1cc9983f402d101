/**
 * Tests for the DICOM dissector: the A-ASSOCIATE-RQ PDU. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as dicom } from '../../../src/dpi/protocols/dicom';

const only = [dicom];

// A-ASSOCIATE-RQ from ECHOSCU to ANY-SCP up to its Application Context item.
const ASSOCIATE_RQ = hex(`
  01000000005d00010000414e592d5343502020202020202020204543484f5343
  5520202020202020202000000000000000000000000000000000000000000000
  0000000000000000000010000015312e322e3834302e31303030382e332e312e
  312e31
`);

test('dicom: an A-ASSOCIATE-RQ is DICOM', () => {
  const r = dissect({ serverPort: 104, dissectors: only }, [
    { payload: ASSOCIATE_RQ },
  ]);
  assert.equal(r.name, 'DICOM');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dicom: near miss: protocol version 2 is not DICOM', () => {
  const r = dissect({ serverPort: 104, dissectors: only }, [
    { payload: Buffer.concat([ASSOCIATE_RQ.subarray(0, 6), hex('0002'), ASSOCIATE_RQ.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dicom: near miss: an AE title with control characters is not DICOM', () => {
  const r = dissect({ serverPort: 104, dissectors: only }, [
    { payload: Buffer.concat([ASSOCIATE_RQ.subarray(0, 10), hex('01'), ASSOCIATE_RQ.subarray(11)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dicom: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 104, dissectors: only }, [{ payload: ASSOCIATE_RQ }], 'DICOM');
});
