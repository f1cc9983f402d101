/**
 * Tests for the Ether-S-Bus dissector: the Ether-S-Bus telegram header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as sbus } from '../../../src/dpi/protocols/ether-s-bus';

const only = [sbus];

// ethersbus.pcap, UDP 172.16.1.120:2467 -> 172.16.1.135:5050: read request.
const REQUEST = hex(`0000000d01000001000a205318`);

// ethersbus.pcap, same flow: response.
const RESPONSE = hex(`00000014000000010144324d343830323000fac9`);

test('ether-s-bus: a request and response are Ether-S-Bus', () => {
  const r = dissect({ l4: 'udp', serverPort: 5050, dissectors: only }, [
    { payload: REQUEST },
    { dir: 1, payload: RESPONSE },
  ]);
  assert.equal(r.name, 'Ether-S-Bus');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ether-s-bus: near miss: a telegram length different from the datagram is not Ether-S-Bus', () => {
  const r = dissect({ l4: 'udp', serverPort: 5050, dissectors: only }, [
    { payload: Buffer.concat([hex('0000000e'), REQUEST.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ether-s-bus: near miss: an unknown telegram attribute is not Ether-S-Bus', () => {
  const r = dissect({ l4: 'udp', serverPort: 5050, dissectors: only }, [
    { payload: Buffer.concat([REQUEST.subarray(0, 8), hex('07'), REQUEST.subarray(9)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ether-s-bus: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 5050, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: RESPONSE }], 'Ether-S-Bus');
});
