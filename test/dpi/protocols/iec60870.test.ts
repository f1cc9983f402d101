/**
 * Tests for the IEC 60870-5-104 dissector: segments of whole APDUs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as iec60870 } from '../../../src/dpi/protocols/iec60870';

const only = [iec60870];

// iec60780-5-104.pcap, TCP 172.27.248.109:1568 -> 172.27.248.79:2404: STARTDT act (U-format).
const STARTDT_ACT = hex(`680407000000`);

// iec60780-5-104.pcap, same flow: STARTDT con.
const STARTDT_CON = hex(`68040b000000`);

// IEC104.pcap, TCP 10.175.211.1:2404 -> 10.119.105.26:54768: I-format APDU (ASDU type 36, spontaneous).
const I_FRAME = hex(`68192c7e42b9240103001429cbb202cdcc2c3e0094dc028a230a0b`);

test('iec60870: STARTDT act/con are IEC60870', () => {
  const r = dissect({ serverPort: 2404, dissectors: only }, [
    { payload: STARTDT_ACT },
    { dir: 1, payload: STARTDT_CON },
  ]);
  assert.equal(r.name, 'IEC60870');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec60870: an I-format APDU is IEC60870', () => {
  const r = dissect({ clientPort: 54768, serverPort: 2404, dissectors: only }, [
    { dir: 1, payload: I_FRAME },
  ]);
  assert.equal(r.name, 'IEC60870');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec60870: several APDUs in one segment are IEC60870', () => {
  const r = dissect({ serverPort: 2404, dissectors: only }, [
    { payload: Buffer.concat([STARTDT_ACT, I_FRAME]) },
  ]);
  assert.equal(r.name, 'IEC60870');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec60870: near miss: a U-format frame with an unknown function is not IEC60870', () => {
  const r = dissect({ serverPort: 2404, dissectors: only }, [
    { payload: hex('680405000000') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec60870: near miss: an APDU length that does not fit the segment is not IEC60870', () => {
  const r = dissect({ serverPort: 2404, dissectors: only }, [
    { payload: hex('680807000000') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec60870: near miss: trailing bytes after an APDU are not IEC60870', () => {
  const r = dissect({ serverPort: 2404, dissectors: only }, [
    { payload: Buffer.concat([STARTDT_ACT, hex('0707')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec60870: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 2404, dissectors: only }, [{ payload: STARTDT_ACT }, { dir: 1, payload: STARTDT_CON }], 'IEC60870');
  truncations({ serverPort: 2404, dissectors: only }, [{ payload: Buffer.concat([STARTDT_ACT, I_FRAME]) }], 'IEC60870');
});
