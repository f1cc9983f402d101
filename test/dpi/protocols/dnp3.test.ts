/**
 * Tests for the DNP3 dissector: data link header with a valid CRC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as dnp3 } from '../../../src/dpi/protocols/dnp3';

const only = [dnp3];

// dnp3.pcap, TCP 10.0.0.9:1080 -> 10.0.0.3:20000: master request frame (15 bytes).
const LINK_REQ = hex(`056408c404000300b4b8c0c10dd22d`);

// dnp3.pcap, TCP 10.0.0.8:2789 -> 10.0.0.3:20000: outstation response frame (17 bytes).
const LINK_RESP = hex(`05640a44030004007caee6f78210004fbd`);

test('dnp3: a link frame with a valid header CRC is DNP3', () => {
  const r = dissect({ serverPort: 20000, dissectors: only }, [
    { payload: LINK_REQ },
  ]);
  assert.equal(r.name, 'DNP3');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dnp3: an outstation frame seen first is DNP3 on any port', () => {
  const r = dissect({ serverPort: 21000, dissectors: only }, [
    { dir: 1, payload: LINK_RESP },
  ]);
  assert.equal(r.name, 'DNP3');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dnp3: near miss: a header with a wrong CRC is not DNP3', () => {
  const r = dissect({ serverPort: 20000, dissectors: only }, [
    { payload: Buffer.concat([LINK_REQ.subarray(0, 8), hex('0000'), LINK_REQ.subarray(10)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dnp3: near miss: 0x05 0x64 followed by text is not DNP3', () => {
  const r = dissect({ serverPort: 20000, dissectors: only }, [
    { payload: Buffer.from('\x05dhello world!', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dnp3: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 20000, dissectors: only }, [{ payload: LINK_REQ }], 'DNP3');
});
