/**
 * Tests for the LDP dissector: PDU header and first message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as ldp } from '../../../src/dpi/protocols/ldp';

const only = [ldp];

// ldp.pcap, UDP 10.0.0.2:646 -> 224.0.0.2:646: Hello over UDP.
const HELLO = hex(`
  0001001e0a0000060000010000140000000004000004000f0000040100040a00
  0006
`);

// ldp.pcap, TCP 10.0.1.1:45334 -> 10.0.0.6:646: Initialization over TCP.
const INIT = hex(`
  000100200a000101000002000016000000020500000e000100b4000000000a00
  00060000
`);

test('ldp: a Hello is LDP', () => {
  const r = dissect({ l4: 'udp', clientPort: 646, serverPort: 646, dissectors: only }, [
    { payload: HELLO },
  ]);
  assert.equal(r.name, 'LDP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ldp: an Initialization message is LDP', () => {
  const r = dissect({ serverPort: 646, dissectors: only }, [
    { payload: INIT },
  ]);
  assert.equal(r.name, 'LDP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ldp: near miss: LDP version 2 is not LDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 646, dissectors: only }, [
    { payload: Buffer.concat([hex('0002'), HELLO.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ldp: near miss: an unknown message type is not LDP', () => {
  const r = dissect({ serverPort: 646, dissectors: only }, [
    { payload: Buffer.concat([INIT.subarray(0, 10), hex('0999'), INIT.subarray(12)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ldp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', clientPort: 646, serverPort: 646, dissectors: only }, [{ payload: HELLO }], 'LDP');
  truncations({ serverPort: 646, dissectors: only }, [{ payload: INIT }], 'LDP');
});
