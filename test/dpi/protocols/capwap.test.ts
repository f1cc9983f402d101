/**
 * Tests for the CAPWAP dissector: preamble, header and control header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as capwap } from '../../../src/dpi/protocols/capwap';

const only = [capwap];

// capwap.pcap, UDP 192.168.10.9:5246 -> 192.168.10.10:12380: Discovery Response (control, 114 bytes).
const DISCOVERY_RESP = hex(`
  0010020000000000000000020000650000010024000003e80000000502010003
  0040960000010004070566000040960000000004010000010004000943697363
  6f32353034041800050000000000000a0006c0a80a0900000025000700409600
  00d0000025000b00409600009754c7045f00
`);

// capwap.pcap, UDP 192.168.10.9:5246 -> 192.168.10.10:12379: DTLS-wrapped control packet.
const DTLS = hex(`
  0100000015feff0001000000000001003091525de0381a81cffbbc5c49506875
  6e8580383b27a1c2ff2011743e05500e5352fa6f19e56428296f7985b4b0bf66
  12
`);

test('capwap: a Discovery Response is CAPWAP', () => {
  const r = dissect({ l4: 'udp', clientPort: 5246, serverPort: 12380, dissectors: only }, [
    { payload: DISCOVERY_RESP },
  ]);
  assert.equal(r.name, 'CAPWAP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('capwap: a DTLS-wrapped control packet is CAPWAP', () => {
  const r = dissect({ l4: 'udp', clientPort: 5246, serverPort: 12379, dissectors: only }, [
    { payload: DTLS },
  ]);
  assert.equal(r.name, 'CAPWAP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('capwap: near miss: preamble version 1 is not CAPWAP', () => {
  const r = dissect({ l4: 'udp', serverPort: 5246, dissectors: only }, [
    { payload: Buffer.concat([hex('10'), DISCOVERY_RESP.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('capwap: near miss: a control message element length that does not match is not CAPWAP', () => {
  const r = dissect({ l4: 'udp', serverPort: 5246, dissectors: only }, [
    { payload: Buffer.concat([DISCOVERY_RESP, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('capwap: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', clientPort: 5246, serverPort: 12380, dissectors: only }, [{ payload: DISCOVERY_RESP }], 'CAPWAP');
  truncations({ l4: 'udp', clientPort: 5246, serverPort: 12379, dissectors: only }, [{ payload: DTLS }], 'CAPWAP');
});
