/**
 * Tests for the IEC62056 dissector: HDLC frames and the IEC 62056-47 wrapper. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as iec62056 } from '../../../src/dpi/protocols/iec62056';

const only = [iec62056];

// HDLC SNRM frame (server 0x03 -> client 0x21) with its FCS, the IEC 62056-46 example.
const SNRM = hex(`7ea0070321930f017e`);

// IEC 62056-47 wrapper (version 1, ports 0x10 -> 0x01) around the start of an AARQ.
const WRAPPED_AARQ = hex(`000100100001000a6008a106060460857405`);

test('iec62056: an HDLC SNRM frame is IEC62056', () => {
  const r = dissect({ serverPort: 4059, dissectors: only }, [
    { payload: SNRM },
  ]);
  assert.equal(r.name, 'IEC62056');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec62056: a wrapped AARQ is IEC62056', () => {
  const r = dissect({ l4: 'udp', serverPort: 4059, dissectors: only }, [
    { payload: WRAPPED_AARQ },
  ]);
  assert.equal(r.name, 'IEC62056');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec62056: near miss: an HDLC frame with a wrong FCS is not IEC62056', () => {
  const r = dissect({ serverPort: 4059, dissectors: only }, [
    { payload: hex('7ea0070321930f027e') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec62056: near miss: a wrapper with version 2 is not IEC62056', () => {
  const r = dissect({ l4: 'udp', serverPort: 4059, dissectors: only }, [
    { payload: Buffer.concat([hex('0002'), WRAPPED_AARQ.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec62056: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4059, dissectors: only }, [{ payload: SNRM }], 'IEC62056');
  truncations({ l4: 'udp', serverPort: 4059, dissectors: only }, [{ payload: WRAPPED_AARQ }], 'IEC62056');
});
