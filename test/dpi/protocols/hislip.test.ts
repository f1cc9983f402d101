/**
 * Tests for the HiSLIP dissector: the 16-byte "HS" message header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as hislip } from '../../../src/dpi/protocols/hislip';

const only = [hislip];

// hislip.pcap, TCP 10.64.0.127:51053 -> 10.64.0.72:4880: Initialize (type 0, sub-address "hislip0").
const INITIALIZE = hex(`485300000100525300000000000000076869736c697030`);

// hislip.pcap, same flow: InitializeResponse.
const INITIALIZE_RESPONSE = hex(`48530100010000010000000000000000`);

test('hislip: Initialize and its response are HiSLIP', () => {
  const r = dissect({ serverPort: 4880, dissectors: only }, [
    { payload: INITIALIZE },
    { dir: 1, payload: INITIALIZE_RESPONSE },
  ]);
  assert.equal(r.name, 'HiSLIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hislip: near miss: "HS" with an unknown message type is not HiSLIP', () => {
  const r = dissect({ serverPort: 4880, dissectors: only }, [
    { payload: Buffer.concat([INITIALIZE.subarray(0, 2), hex('c8'), INITIALIZE.subarray(3)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hislip: near miss: a payload length past a short segment is not HiSLIP', () => {
  const r = dissect({ serverPort: 4880, dissectors: only }, [
    { payload: Buffer.concat([INITIALIZE.subarray(0, 15), hex('ff'), INITIALIZE.subarray(16)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hislip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4880, dissectors: only }, [{ payload: INITIALIZE }, { dir: 1, payload: INITIALIZE_RESPONSE }], 'HiSLIP');
});
