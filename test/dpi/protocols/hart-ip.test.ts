/**
 * Tests for the HART-IP dissector: the 8-byte HART-IP header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as hartip } from '../../../src/dpi/protocols/hart-ip';

const only = [hartip];

// hart_ip.pcap, TCP 192.168.0.101:49559 -> 192.168.0.10:5094: session initiate request.
const INITIATE = hex(`010000000002000d0100007530`);

// hart_ip.pcap, same flow: session initiate response.
const INITIATE_RESP = hex(`010100000002000d010000ea60`);

// hart_ip.pcap, same flow: token-passing PDU response.
const PDU = hex(`
  01010300000300250600001800d0fe264e050704010e0c0000d205020002d000
  26002684de
`);

test('hart-ip: a session initiate over TCP is HART-IP', () => {
  const r = dissect({ serverPort: 5094, dissectors: only }, [
    { payload: INITIATE },
    { dir: 1, payload: INITIATE_RESP },
  ]);
  assert.equal(r.name, 'HART-IP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hart-ip: a token-passing PDU over UDP is HART-IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 5094, dissectors: only }, [
    { dir: 1, payload: PDU },
  ]);
  assert.equal(r.name, 'HART-IP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hart-ip: near miss: version 3 is not HART-IP', () => {
  const r = dissect({ serverPort: 5094, dissectors: only }, [
    { payload: Buffer.concat([hex('03'), INITIATE.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hart-ip: near miss: a byte count that is not the payload length is not HART-IP', () => {
  const r = dissect({ serverPort: 5094, dissectors: only }, [
    { payload: Buffer.concat([INITIATE.subarray(0, 7), hex('0e'), INITIATE.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('hart-ip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 5094, dissectors: only }, [{ payload: INITIATE }, { dir: 1, payload: INITIATE_RESP }], 'HART-IP');
  truncations({ l4: 'udp', serverPort: 5094, dissectors: only }, [{ dir: 1, payload: PDU }], 'HART-IP');
});
