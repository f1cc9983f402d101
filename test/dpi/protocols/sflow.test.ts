/**
 * Tests for the sFlow dissector: the v5 datagram header and sample tiling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as sflow } from '../../../src/dpi/protocols/sflow';

const only = [sflow];

// sflow.pcap, UDP 172.21.35.17:1027 -> 172.21.35.199:6343: sFlow v5 datagram with one counter sample.
const DATAGRAM = hex(`
  0000000500000001ac152311000000010000019f673dd7100000000100000002
  0000006c000021250000040c0000000100000001000000580000040c00000006
  0000000005f5e100000000010000000300000000018c2ccc00009b8300029016
  0001f6730000000000000000000000000000000000533dc10000a0b700002187
  000008d7000000000000000000000000
`);

test('sflow: an sFlow v5 datagram is sFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 6343, dissectors: only }, [
    { payload: DATAGRAM },
  ]);
  assert.equal(r.name, 'sFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('sflow: near miss: agent address type 3 is not sFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 6343, dissectors: only }, [
    { payload: Buffer.concat([DATAGRAM.subarray(0, 4), hex('00000003'), DATAGRAM.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('sflow: near miss: samples that do not tile the datagram are not sFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 6343, dissectors: only }, [
    { payload: Buffer.concat([DATAGRAM, hex('00000000')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('sflow: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 6343, dissectors: only }, [{ payload: DATAGRAM }], 'sFlow');
});
