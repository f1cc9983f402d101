/**
 * Tests for the Modbus/TCP dissector: MBAP request answered with the same
 * transaction id; Schneider UMAS (function 0x5A) as Modbus.UMAS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as modbus } from '../../../src/dpi/protocols/modbus';

const only = [modbus];

// umas.pcap, TCP 192.168.63.100:7718 -> 192.168.63.253:502: UMAS (function 0x5A) request.
const UMAS_REQ = hex(`000000000004005a0002`);

// umas.pcap, same flow: UMAS response.
const UMAS_RESP = hex(`
  000000000032005a00fe10ff5a01010000007002000027000900080000000000
  0e3134302043505520333131203130010101000000001100
`);

// Read Holding Registers (function 3) request: transaction 1, unit 1, address 0, 2 registers.
const READ_REQ = hex(`000100000006010300000002`);

// Its response: 4 data bytes.
const READ_RESP = hex(`00010000000701030400010002`);

test('modbus: a UMAS request and response are Modbus.UMAS', () => {
  const r = dissect({ serverPort: 502, dissectors: only }, [
    { payload: UMAS_REQ },
    { dir: 1, payload: UMAS_RESP },
  ]);
  assert.equal(r.name, 'Modbus.UMAS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('modbus: a read request answered with its transaction id is Modbus', () => {
  const r = dissect({ serverPort: 502, dissectors: only }, [
    { payload: READ_REQ },
    { dir: 1, payload: READ_RESP },
  ]);
  assert.equal(r.name, 'Modbus');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('modbus: an exception response matches its request', () => {
  const r = dissect({ serverPort: 1502, dissectors: only }, [
    { payload: READ_REQ },
    { dir: 1, payload: hex('000100000003018302') },
  ]);
  assert.equal(r.name, 'Modbus');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('modbus: near miss: a response with another transaction id is not Modbus', () => {
  const r = dissect({ serverPort: 502, dissectors: only }, [
    { payload: READ_REQ },
    { dir: 1, payload: Buffer.concat([hex('0002'), READ_RESP.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('modbus: near miss: a non-zero protocol id is not Modbus', () => {
  const r = dissect({ serverPort: 502, dissectors: only }, [
    { payload: Buffer.concat([hex('00010001'), READ_REQ.subarray(4)]) },
    { dir: 1, payload: READ_RESP },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('modbus: near miss: a single request is not enough', () => {
  const r = dissect({ serverPort: 502, dissectors: only }, [
    { payload: READ_REQ },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('modbus: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 502, dissectors: only }, [{ payload: READ_REQ }, { dir: 1, payload: READ_RESP }], 'Modbus');
  truncations({ serverPort: 502, dissectors: only }, [{ payload: UMAS_REQ }, { dir: 1, payload: UMAS_RESP }], 'Modbus.UMAS');
});
