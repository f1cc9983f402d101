/**
 * Tests for the JRMI dissector: the RMI transport header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as jrmi } from '../../../src/dpi/protocols/jrmi';

const only = [jrmi];

// RMI transport header: "JRMI", version 2, StreamProtocol.
const HEADER = hex(`4a524d4900024b`);

test('jrmi: the RMI header is JRMI', () => {
  const r = dissect({ serverPort: 1099, dissectors: only }, [
    { payload: HEADER },
    { dir: 1, payload: hex('4e000931302e302e302e310000c350') },
  ]);
  assert.equal(r.name, 'JRMI');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('jrmi: near miss: version 1 is not JRMI', () => {
  const r = dissect({ serverPort: 1099, dissectors: only }, [
    { payload: Buffer.concat([HEADER.subarray(0, 4), hex('0001'), HEADER.subarray(6)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('jrmi: near miss: an unknown sub-protocol is not JRMI', () => {
  const r = dissect({ serverPort: 1099, dissectors: only }, [
    { payload: Buffer.concat([HEADER.subarray(0, 6), hex('50')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('jrmi: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 1099, dissectors: only }, [{ payload: HEADER }, { dir: 1, payload: hex('4e000931302e302e302e310000c350') }], 'JRMI');
});
