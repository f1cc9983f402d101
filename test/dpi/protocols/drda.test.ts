/**
 * Tests for the DRDA dissector: chains of DSS headers (length, 0xD0, DSS type,
 * DDM length and code point).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as drda } from '../../../src/dpi/protocols/drda';

const only = [drda];

// drda_db2.pcap, TCP 192.168.106.1:4847 -> 192.168.106.128:50000: EXCSAT request DSS (code point 0x1041).
const EXCSAT = hex(`
  0089d0410001008310410039115e8482f29183836d81979793898381a3899695
  4040d1c3c3f0f2f1f0f0f017c3f0c1f8f6c1f0f14b0111b1751ff90000000000
  0000000016116dd4a8d7c360c896a2a3958194854040404040000c115ad1c3c3
  f0f2f1f0f0001814041403000724070007240f00071440000714740005000c11
  47d8c4c2f261d1e5d40026d00100020020106d000611a2000300162110d4e8c4
  c2f2c4c24040404040404040404040
`);

// drda_db2.pcap, same flow: EXCSATRD reply DSS chain.
const EXCSATRD = hex(`
  005bd0430001005514430018115e8482f28482f281878595a3f0f0f0f0f0c3f4
  f1f0001814041403000724070007240f00071440000714740005000e1147d8c4
  c2f261d3c9d5e4e70007116d8482f2000c115ae2d8d3f0f8f0f2f40010d00300
  02000a14ac000611a20003
`);

test('drda: an EXCSAT request and its reply are DRDA', () => {
  const r = dissect({ serverPort: 50000, dissectors: only }, [
    { payload: EXCSAT },
    { dir: 1, payload: EXCSATRD },
  ]);
  assert.equal(r.name, 'DRDA');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('drda: near miss: a DSS without the 0xD0 magic is not DRDA', () => {
  const r = dissect({ serverPort: 50000, dissectors: only }, [
    { payload: Buffer.concat([EXCSAT.subarray(0, 2), hex('c0'), EXCSAT.subarray(3)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('drda: near miss: a DDM length larger than its DSS is not DRDA', () => {
  const r = dissect({ serverPort: 50000, dissectors: only }, [
    { payload: Buffer.concat([EXCSAT.subarray(0, 6), hex('0090'), EXCSAT.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('drda: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 50000, dissectors: only }, [{ payload: EXCSAT }, { dir: 1, payload: EXCSATRD }], 'DRDA');
});
