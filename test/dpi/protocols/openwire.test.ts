/**
 * Tests for the OpenWire dissector: WIREFORMAT_INFO with the "ActiveMQ" magic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as openwire } from '../../../src/dpi/protocols/openwire';

const only = [openwire];

// openwire.pcapng, TCP ::1:51157 -> ::1:61616: client WIREFORMAT_INFO (version 10), first 64 bytes.
const WIREFORMAT = hex(`
  000000da014163746976654d510000000a01000000c800000008000c43616368
  65456e61626c6564010000154d6178496e61637469766974794475726174696f
`);

test('openwire: WIREFORMAT_INFO is OpenWire', () => {
  const r = dissect({ serverPort: 61616, dissectors: only }, [
    { payload: WIREFORMAT },
  ]);
  assert.equal(r.name, 'OpenWire');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('openwire: near miss: a wrong magic is not OpenWire', () => {
  const r = dissect({ serverPort: 61616, dissectors: only }, [
    { payload: Buffer.concat([WIREFORMAT.subarray(0, 12), Buffer.from('X', 'latin1'), WIREFORMAT.subarray(13)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('openwire: near miss: a command type other than WIREFORMAT_INFO is not OpenWire', () => {
  const r = dissect({ serverPort: 61616, dissectors: only }, [
    { payload: Buffer.concat([WIREFORMAT.subarray(0, 4), hex('02'), WIREFORMAT.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('openwire: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 61616, dissectors: only }, [{ payload: WIREFORMAT }], 'OpenWire');
});
