/**
 * Tests for the CPHA dissector: the CPHAP magic, version and opcode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as cpha } from '../../../src/dpi/protocols/cpha';

const only = [cpha];

// cpha.pcap, UDP 0.0.0.0:8116 -> 172.21.3.0:8116: cluster member state report.
const CPHAP = hex(`
  1a900c31278500010016793e0001fffee04a0100000200010000080a00020003
  000400000204090000000900000000000200
`);

test('cpha: a CPHAP datagram is CPHA', () => {
  const r = dissect({ l4: 'udp', clientPort: 8116, serverPort: 8116, client: '0.0.0.0', server: '172.21.3.0', dissectors: only }, [
    { payload: CPHAP },
  ]);
  assert.equal(r.name, 'CPHA');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cpha: near miss: a wrong magic is not CPHA', () => {
  const r = dissect({ l4: 'udp', serverPort: 8116, dissectors: only }, [
    { payload: Buffer.concat([hex('1a91'), CPHAP.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cpha: near miss: an opcode out of range is not CPHA', () => {
  const r = dissect({ l4: 'udp', serverPort: 8116, dissectors: only }, [
    { payload: Buffer.concat([CPHAP.subarray(0, 6), hex('00ff'), CPHAP.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cpha: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', clientPort: 8116, serverPort: 8116, client: '0.0.0.0', server: '172.21.3.0', dissectors: only }, [{ payload: CPHAP }], 'CPHA');
});
