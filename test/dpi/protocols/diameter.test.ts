/**
 * Tests for the Diameter dissector: the Diameter header and first AVP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as diameter } from '../../../src/dpi/protocols/diameter';

const only = [diameter];

// diameter.pcap, TCP 10.201.9.245:50957 -> 10.201.9.11:3868: Credit-Control-Request.
const CCR = hex(`
  01000158800001100000000402ea493026f00003000001074000001d6e786c3b
  6170693b31323633323738383738313437000000000001cd40000014436f6d76
  657273652e444349000001024000000c0000000400000108400000196e786c31
  2e6e65747863656c6c2e636f6d00000000000128400000146e65747863656c6c
  2e636f6d0000019f4000000c000000000000012540000019646775322e636f6d
  76657273652e636f6d0000000000011b40000014636f6d76657273652e636f6d
  000000374000000ccef6999e000001bb40000028000001bc4000001439313930
  3830303030303136000001c24000000c00000000000001b840000024000001b9
  4000000c00000002000001ba4000000d6462696c6c000000000001a04000000c
  00000001000001b5400000340000019d4000002c000001bd40000018000001bf
  400000100000000000000002000001a94000000c00000164
`);

test('diameter: a Credit-Control-Request is Diameter', () => {
  const r = dissect({ serverPort: 3868, dissectors: only }, [
    { payload: CCR },
  ]);
  assert.equal(r.name, 'Diameter');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('diameter: near miss: version 2 is not Diameter', () => {
  const r = dissect({ serverPort: 3868, dissectors: only }, [
    { payload: Buffer.concat([hex('02'), CCR.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('diameter: near miss: reserved command flags are not Diameter', () => {
  const r = dissect({ serverPort: 3868, dissectors: only }, [
    { payload: Buffer.concat([CCR.subarray(0, 4), hex('81'), CCR.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('diameter: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 3868, dissectors: only }, [{ payload: CCR }], 'Diameter');
});
