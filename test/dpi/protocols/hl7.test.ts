/**
 * Tests for the HL7 dissector: MSH segment with separators, after the
 * optional MLLP start block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as hl7 } from '../../../src/dpi/protocols/hl7';

const only = [hl7];

// hl7.pcap, TCP 10.0.0.155:49242 -> 10.0.0.126:6661: MLLP-framed ADT message, first 96 bytes.
const MESSAGE = hex(`
  0b4d53487c5e7e5c267c53454e44494e475f4150504c49434154494f4e7c5345
  4e44494e475f464143494c4954597c524543454956494e475f4150504c494341
  54494f4e7c524543454956494e475f464143494c4954597c3230313130363133
`);

test('hl7: an MLLP-framed MSH segment is HL7', () => {
  const r = dissect({ serverPort: 6661, dissectors: only }, [
    { payload: MESSAGE },
  ]);
  assert.equal(r.name, 'HL7');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hl7: an unframed MSH segment is HL7', () => {
  const r = dissect({ serverPort: 2575, dissectors: only }, [
    { payload: MESSAGE.subarray(1) },
  ]);
  assert.equal(r.name, 'HL7');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hl7: near miss: "MSH" followed by letters is not HL7', () => {
  const r = dissect({ serverPort: 2575, dissectors: only }, [
    { payload: Buffer.from('MSH|abcd|x\r', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hl7: near miss: an SMTP MAIL line is not HL7', () => {
  const r = dissect({ serverPort: 2575, dissectors: only }, [
    { payload: Buffer.from('MAIL FROM:<a@b>\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hl7: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6661, dissectors: only }, [{ payload: MESSAGE }], 'HL7');
});
