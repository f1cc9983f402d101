/**
 * Tests for the KNXnet_IP dissector: the KNXnet/IP header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as knx } from '../../../src/dpi/protocols/knxnet-ip';

const only = [knx];

// SEARCH_REQUEST (0x0201) with a discovery endpoint HPAI.
const SEARCH_REQUEST = hex(`06100201000e0801c0a800010e57`);

// CONNECTIONSTATE_REQUEST (0x0207), channel 1.
const CONNECTIONSTATE = hex(`06100207001001000801c0a800020e57`);

test('knxnet-ip: a SEARCH_REQUEST is KNXnet_IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3671, dissectors: only }, [
    { payload: SEARCH_REQUEST },
  ]);
  assert.equal(r.name, 'KNXnet_IP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('knxnet-ip: two frames in one TCP segment are KNXnet_IP', () => {
  const r = dissect({ serverPort: 3671, dissectors: only }, [
    { payload: Buffer.concat([CONNECTIONSTATE, CONNECTIONSTATE]) },
  ]);
  assert.equal(r.name, 'KNXnet_IP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('knxnet-ip: near miss: an unknown service family is not KNXnet_IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3671, dissectors: only }, [
    { payload: Buffer.concat([hex('06100601'), SEARCH_REQUEST.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('knxnet-ip: near miss: a total length different from the datagram is not KNXnet_IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3671, dissectors: only }, [
    { payload: Buffer.concat([SEARCH_REQUEST, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('knxnet-ip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 3671, dissectors: only }, [{ payload: SEARCH_REQUEST }], 'KNXnet_IP');
  truncations({ serverPort: 3671, dissectors: only }, [{ payload: Buffer.concat([CONNECTIONSTATE, CONNECTIONSTATE]) }], 'KNXnet_IP');
});
