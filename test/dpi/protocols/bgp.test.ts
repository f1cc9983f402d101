/**
 * Tests for the BGP dissector: the marker, length and type of BGP messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as bgp } from '../../../src/dpi/protocols/bgp';

const only = [bgp];

// BGP_Cisco_hdlc_slarp.pcap, TCP 100.16.1.2:18324 -> 100.16.1.1:179: OPEN.
const OPEN = hex(`
  ffffffffffffffffffffffffffffffff00390104000100b40b0b0b0b1c020601
  04000100010202800002020200020246000206410400000001
`);

// BGP_Cisco_hdlc_slarp.pcap, same flow: KEEPALIVE.
const KEEPALIVE = hex(`ffffffffffffffffffffffffffffffff001304`);

test('bgp: an OPEN is BGP', () => {
  const r = dissect({ serverPort: 179, dissectors: only }, [
    { payload: OPEN },
    { dir: 1, payload: OPEN },
  ]);
  assert.equal(r.name, 'BGP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bgp: a KEEPALIVE is BGP', () => {
  const r = dissect({ serverPort: 179, dissectors: only }, [
    { dir: 1, payload: KEEPALIVE },
  ]);
  assert.equal(r.name, 'BGP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bgp: near miss: a marker with a zero byte is not BGP', () => {
  const r = dissect({ serverPort: 179, dissectors: only }, [
    { payload: Buffer.concat([hex('00'), OPEN.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bgp: near miss: an OPEN with version 3 is not BGP', () => {
  const r = dissect({ serverPort: 179, dissectors: only }, [
    { payload: Buffer.concat([OPEN.subarray(0, 19), hex('03'), OPEN.subarray(20)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bgp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 179, dissectors: only }, [{ payload: OPEN }, { dir: 1, payload: OPEN }], 'BGP');
});
