/**
 * Tests for the BACnet/IP dissector: BVLC header and NPDU version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as bacnet } from '../../../src/dpi/protocols/bacnet';

const only = [bacnet];

// bacnet.pcap, UDP 65.49.20.98:53234 -> 90.147.69.219:47808: original-unicast-NPDU, ReadProperty.
const READ_PROPERTY = hex(`810a001101040005a90c0c023fffff194b`);

test('bacnet: an original-unicast NPDU is BACnet', () => {
  const r = dissect({ l4: 'udp', serverPort: 47808, dissectors: only }, [
    { payload: READ_PROPERTY },
  ]);
  assert.equal(r.name, 'BACnet');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bacnet: a BVLC result is BACnet on any port', () => {
  const r = dissect({ l4: 'udp', serverPort: 47809, dissectors: only }, [
    { payload: hex('810000060000') },
  ]);
  assert.equal(r.name, 'BACnet');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bacnet: near miss: a BVLC length different from the datagram is not BACnet', () => {
  const r = dissect({ l4: 'udp', serverPort: 47808, dissectors: only }, [
    { payload: Buffer.concat([READ_PROPERTY.subarray(0, 2), hex('0012'), READ_PROPERTY.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bacnet: near miss: an NPDU with version 2 is not BACnet', () => {
  const r = dissect({ l4: 'udp', serverPort: 47808, dissectors: only }, [
    { payload: Buffer.concat([READ_PROPERTY.subarray(0, 4), hex('02'), READ_PROPERTY.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bacnet: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 47808, dissectors: only }, [{ payload: READ_PROPERTY }], 'BACnet');
});
