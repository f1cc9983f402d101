/**
 * Tests for the UFTP dissector: the UFTP v4/v5 common and message headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as uftp } from '../../../src/dpi/protocols/uftp';

const only = [uftp];

// uftp_v4_v5.pcap, UDP 10.0.0.1:37173 -> 230.4.4.1:1044: v4 ANNOUNCE.
const ANNOUNCE_V4 = hex(`
  400100000a00000196f4c304009d0000010600140000051457a65c1d00057a51
  e6040401e6050538
`);

// uftp_v4_v5.pcap, UDP 192.168.1.186:37457 -> 230.4.4.1:1044: v5 ANNOUNCE.
const ANNOUNCE_V5 = hex(`
  50010000c0a801ba0211a8c5009d000001060014020005140005a3f6b8393fbe
  e6040401e6050558
`);

test('uftp: a v4 ANNOUNCE is UFTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1044, dissectors: only }, [
    { payload: ANNOUNCE_V4 },
  ]);
  assert.equal(r.name, 'UFTP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('uftp: a v5 ANNOUNCE is UFTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1044, dissectors: only }, [
    { payload: ANNOUNCE_V5 },
  ]);
  assert.equal(r.name, 'UFTP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('uftp: near miss: version 0x30 is not UFTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1044, dissectors: only }, [
    { payload: Buffer.concat([hex('30'), ANNOUNCE_V4.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('uftp: near miss: a message header not repeating the function is not UFTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1044, dissectors: only }, [
    { payload: Buffer.concat([ANNOUNCE_V4.subarray(0, 16), hex('02'), ANNOUNCE_V4.subarray(17)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('uftp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 1044, dissectors: only }, [{ payload: ANNOUNCE_V4 }], 'UFTP');
  truncations({ l4: 'udp', serverPort: 1044, dissectors: only }, [{ payload: ANNOUNCE_V5 }], 'UFTP');
});
