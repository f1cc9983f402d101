/**
 * Tests for the PTPv2 dissector: the PTPv2 common header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as ptpv2 } from '../../../src/dpi/protocols/ptpv2';

const only = [ptpv2];

// Sync (two-step), 44 bytes, controlField 0.
const SYNC = hex(`
  0002002c00000200000000000000000000000000001122334455667700010001
  000000000000000000000000
`);

// Announce, 64 bytes, controlField 5.
const ANNOUNCE = hex(`
  0b02004000000008000000000000000000000000001122334455667700010002
  05010000000000000000000000250080f8feffff8000112233445566770000a0
`);

test('ptpv2: a Sync message is PTPv2', () => {
  const r = dissect({ l4: 'udp', clientPort: 319, serverPort: 319, dissectors: only }, [
    { payload: SYNC },
  ]);
  assert.equal(r.name, 'PTPv2');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ptpv2: an Announce message is PTPv2', () => {
  const r = dissect({ l4: 'udp', clientPort: 320, serverPort: 320, dissectors: only }, [
    { payload: ANNOUNCE },
  ]);
  assert.equal(r.name, 'PTPv2');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ptpv2: near miss: a controlField not matching the message type is not PTPv2', () => {
  const r = dissect({ l4: 'udp', serverPort: 319, dissectors: only }, [
    { payload: Buffer.concat([SYNC.subarray(0, 32), hex('03'), SYNC.subarray(33)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ptpv2: near miss: PTP version 1 is not PTPv2', () => {
  const r = dissect({ l4: 'udp', serverPort: 319, dissectors: only }, [
    { payload: Buffer.concat([hex('0001'), SYNC.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ptpv2: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', clientPort: 319, serverPort: 319, dissectors: only }, [{ payload: SYNC }], 'PTPv2');
  truncations({ l4: 'udp', clientPort: 320, serverPort: 320, dissectors: only }, [{ payload: ANNOUNCE }], 'PTPv2');
});
