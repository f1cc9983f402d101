/**
 * Tests for the TRDP dissector: process and message data headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as trdp } from '../../../src/dpi/protocols/trdp';

const only = [trdp];

// trdp.pcapng, UDP 192.168.88.231:47228 -> 192.168.88.138:17224: process data "Pd".
const PD = hex(`
  0000000001005064000000000000000000000000000000180000000000000000
  00000000ce487aea48656c6c6f20576f726c6400000000000000000000000000
`);

// trdp.pcapng, TCP 192.168.88.231:45482 -> 192.168.88.138:17225: message data request "Mr".
const MD = hex(`
  0000000001004d72000003e900000000000000000000000d0000000069322ac4
  5bc911ef98daf02f74ad43f5001e848000000000000000000000000000000000
  0000000000000000000000000000000000000000000000000000000000000000
  000000000000000000000000000000005ec79b1e486f772061726520796f753f
  00000000
`);

test('trdp: process data over UDP is TRDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 17224, dissectors: only }, [
    { payload: PD },
  ]);
  assert.equal(r.name, 'TRDP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('trdp: message data over TCP is TRDP', () => {
  const r = dissect({ serverPort: 17225, dissectors: only }, [
    { payload: MD },
  ]);
  assert.equal(r.name, 'TRDP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('trdp: near miss: an unknown message type is not TRDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 17224, dissectors: only }, [
    { payload: Buffer.concat([PD.subarray(0, 6), Buffer.from('Px', 'latin1'), PD.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('trdp: near miss: a dataset longer than the datagram is not TRDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 17224, dissectors: only }, [
    { payload: Buffer.concat([PD.subarray(0, 20), hex('00000100'), PD.subarray(24)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('trdp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 17224, dissectors: only }, [{ payload: PD }], 'TRDP');
  truncations({ serverPort: 17225, dissectors: only }, [{ payload: MD }], 'TRDP');
});
