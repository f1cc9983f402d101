/**
 * Tests for the RTPS dissector: the "RTPS" message header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as rtps } from '../../../src/dpi/protocols/rtps';

const only = [rtps];

// rtps.pcap, UDP 127.0.0.1:28108 -> 127.0.0.1:7410: RTPS header + "NDDSPING".
const PING = hex(`52545053020101014e44445350494e47`);

// rtps.pcap, same flow: an RTPS message with submessages, first 64 bytes.
const DATA = hex(`
  5254505302010101c0a87a0100003a4c00000001090108008f0b4a59470af3a6
  1505e8020000100000000000000100c200000000010000000003000050001000
`);

test('rtps: RTPS messages are RTPS', () => {
  const r = dissect({ l4: 'udp', serverPort: 7410, dissectors: only }, [
    { payload: PING },
    { payload: DATA },
  ]);
  assert.equal(r.name, 'RTPS');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Known Proto on Non Std Port'));
  assert.deepEqual(r.undeclared, []);
});

test('rtps: near miss: "RTPX" is not RTPS', () => {
  const r = dissect({ l4: 'udp', serverPort: 7400, dissectors: only }, [
    { payload: Buffer.concat([Buffer.from('RTPX', 'latin1'), PING.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rtps: near miss: protocol version 7 is not RTPS', () => {
  const r = dissect({ l4: 'udp', serverPort: 7400, dissectors: only }, [
    { payload: Buffer.concat([PING.subarray(0, 4), hex('07'), PING.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rtps: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 7410, dissectors: only }, [{ payload: PING }, { payload: DATA }], 'RTPS');
});
