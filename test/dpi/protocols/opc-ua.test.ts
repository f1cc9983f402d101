/**
 * Tests for the OPC UA dissector: Hello and Acknowledge messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as opcua } from '../../../src/dpi/protocols/opc-ua';

const only = [opcua];

// opc-ua.pcap, TCP 127.0.0.1:57420 -> 127.0.0.1:4840: HELF with endpoint "opc.tcp://localhost...".
const HELLO = hex(`
  48454c4638000000000000000000020000000200000000400080000018000000
  6f70632e7463703a2f2f6c6f63616c686f73743a34383430
`);

// opc-ua.pcap, same flow: ACKF.
const ACK = hex(`41434b461c0000000000000000000200000002000000004000800000`);

test('opc-ua: Hello and Acknowledge are OPC-UA', () => {
  const r = dissect({ serverPort: 4840, dissectors: only }, [
    { payload: HELLO },
    { dir: 1, payload: ACK },
  ]);
  assert.equal(r.name, 'OPC-UA');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('opc-ua: an Acknowledge seen first is OPC-UA', () => {
  const r = dissect({ serverPort: 14840, dissectors: only }, [
    { dir: 1, payload: ACK },
  ]);
  assert.equal(r.name, 'OPC-UA');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('opc-ua: near miss: a Hello whose size is off is not OPC-UA', () => {
  const r = dissect({ serverPort: 4840, dissectors: only }, [
    { payload: Buffer.concat([HELLO.subarray(0, 4), hex('39000000'), HELLO.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('opc-ua: near miss: a Hello with an http endpoint URL is not OPC-UA', () => {
  const r = dissect({ serverPort: 4840, dissectors: only }, [
    { payload: Buffer.concat([HELLO.subarray(0, 32), Buffer.from('http', 'latin1'), HELLO.subarray(36)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('opc-ua: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4840, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ACK }], 'OPC-UA');
});
