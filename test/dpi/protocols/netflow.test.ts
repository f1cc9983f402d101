/**
 * Tests for the NetFlow dissector: NetFlow v5 and IPFIX headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as netflow } from '../../../src/dpi/protocols/netflow';

const only = [netflow];

// NetFlow v5 datagram with one flow record (24 + 48 bytes).
const V5 = hex(`
  0005000100000001000000000000000000000000000000000a0000010a000002
  0000000000000000000000010000004000000000000000011234005000180600
  0000000018180000
`);

// IPFIX message with one template set (length 36).
const IPFIX = hex(`
  000a0024000000000000000100000000000200140100000300080004000c0004
  00020004
`);

test('netflow: a NetFlow v5 datagram is NetFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 2055, dissectors: only }, [
    { payload: V5 },
  ]);
  assert.equal(r.name, 'NetFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('netflow: an IPFIX message is NetFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 4739, dissectors: only }, [
    { payload: IPFIX },
  ]);
  assert.equal(r.name, 'NetFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('netflow: near miss: a v5 record count that does not match the length is not NetFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 2055, dissectors: only }, [
    { payload: Buffer.concat([hex('00050002'), V5.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('netflow: near miss: an IPFIX set id 1 is not NetFlow', () => {
  const r = dissect({ l4: 'udp', serverPort: 2055, dissectors: only }, [
    { payload: Buffer.concat([IPFIX.subarray(0, 16), hex('0001'), IPFIX.subarray(18)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('netflow: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 2055, dissectors: only }, [{ payload: V5 }], 'NetFlow');
  truncations({ l4: 'udp', serverPort: 4739, dissectors: only }, [{ payload: IPFIX }], 'NetFlow');
});
