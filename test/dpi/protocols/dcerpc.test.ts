/**
 * Tests for the DCE/RPC dissector: connection-oriented and connectionless
 * headers; PROFINET IO interfaces as DCERPC.PROFINET_IO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as dcerpc } from '../../../src/dpi/protocols/dcerpc';

const only = [dcerpc];

// dcerpc.pcap, UDP 192.168.1.20:49162 -> 192.168.1.11:34964: connectionless request to the PNIO device interface (big-endian).
const PNIO_BE = hex(`
  04002000100000000000a0de976cd11182710064010d002a0200a0de976cd111
  827100a02442df7d80c8fb43000010108000000ef0489e050000000001000000
  000000000400ffffffff340000000000a000000020000000a000000000000000
  200000000112001c0100000009f1a530c75f6d47b67f8073439deaad00020000
  00020000
`);

// profinet-io-le.pcap, UDP 10.10.0.150:1566 -> 10.10.0.129:34964: connectionless request (little-endian).
const PNIO_LE = hex(`
  04000800100000000000a0de976cd111827100010003015a0100a0de976cd111
  827100a02442df7ddbabbaec1d005443b2500b01630abafd0000000001000000
  000000000500ffffffff54000000000040800000400000004080000000000000
  400000000009003c0100000a0000000000000000000000000000000000000000
  000000010000f840000080000000000000000000000000000000000000000000
  00000000
`);

// A connection-oriented bind (v5.0, little-endian) for one context, 72 bytes.
const BIND = hex(`
  05000b03100000004800000001000000d016d016000000000100000000000100
  c4fefc9960521b10bbcb00aa0021347a00000000045d888aeb1cc9119fe80800
  2b10486002000000
`);

test('dcerpc: a connectionless call to the PROFINET IO device interface is DCERPC.PROFINET_IO', () => {
  const r = dissect({ l4: 'udp', serverPort: 34964, dissectors: only }, [
    { payload: PNIO_BE },
  ]);
  assert.equal(r.name, 'DCERPC.PROFINET_IO');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Known Proto on Non Std Port'));
  assert.deepEqual(r.undeclared, []);
});

test('dcerpc: a little-endian PROFINET IO call is DCERPC.PROFINET_IO', () => {
  const r = dissect({ l4: 'udp', serverPort: 34964, dissectors: only }, [
    { payload: PNIO_LE },
  ]);
  assert.equal(r.name, 'DCERPC.PROFINET_IO');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dcerpc: a connection-oriented bind is DCERPC', () => {
  const r = dissect({ serverPort: 135, dissectors: only }, [
    { payload: BIND },
  ]);
  assert.equal(r.name, 'DCERPC');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dcerpc: near miss: a connectionless header with a wrong body length is not DCERPC', () => {
  const r = dissect({ l4: 'udp', serverPort: 34964, dissectors: only }, [
    { payload: PNIO_BE.subarray(0, 120) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dcerpc: near miss: a bind with an invalid data representation is not DCERPC', () => {
  const r = dissect({ serverPort: 135, dissectors: only }, [
    { payload: Buffer.concat([BIND.subarray(0, 4), hex('ff'), BIND.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dcerpc: a connectionless call to another interface is plain DCERPC', () => {
  const other = Buffer.from(PNIO_BE);
  other[24] = 0x12;
  const r = dissect({ l4: 'udp', serverPort: 34964, dissectors: only }, [{ payload: other }]);
  assert.equal(r.name, 'DCERPC');
});

test('dcerpc: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 34964, dissectors: only }, [{ payload: PNIO_BE }], 'DCERPC.PROFINET_IO');
  truncations({ serverPort: 135, dissectors: only }, [{ payload: BIND }], 'DCERPC');
});
