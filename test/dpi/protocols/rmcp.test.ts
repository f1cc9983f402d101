/**
 * Tests for the RMCP dissector: RMCP with ASF or IPMI session headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as rmcp } from '../../../src/dpi/protocols/rmcp';

const only = [rmcp];

// rmcp.pcap, UDP 123.212.25.229:49531 -> 171.47.173.23:623: IPMI v1.5 Get Channel Authentication Capabilities.
const IPMI = hex(`0600ff07000000000000000000092018c88100388e04b5`);

// rmcp.pcap, UDP 54.229.154.152:59937 -> 14.85.79.172:623: ASF presence ping.
const ASF_PING = hex(`0600ff06000011be80000000`);

test('rmcp: an IPMI v1.5 message is RMCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 623, dissectors: only }, [
    { payload: IPMI },
  ]);
  assert.equal(r.name, 'RMCP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('rmcp: an ASF presence ping is RMCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 623, dissectors: only }, [
    { payload: ASF_PING },
  ]);
  assert.equal(r.name, 'RMCP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('rmcp: near miss: RMCP version 5 is not RMCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 623, dissectors: only }, [
    { payload: Buffer.concat([hex('05'), IPMI.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rmcp: near miss: an IPMI message length that does not match is not RMCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 623, dissectors: only }, [
    { payload: Buffer.concat([IPMI, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rmcp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 623, dissectors: only }, [{ payload: IPMI }], 'RMCP');
  truncations({ l4: 'udp', serverPort: 623, dissectors: only }, [{ payload: ASF_PING }], 'RMCP');
});
