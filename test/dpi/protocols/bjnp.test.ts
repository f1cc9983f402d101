/**
 * Tests for the BJNP dissector: the BJNP header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as bjnp } from '../../../src/dpi/protocols/bjnp';

const only = [bjnp];

// bjnp.pcap, UDP 192.168.185.141:50087 -> 192.168.1.17:8612: printer discovery.
const DISCOVER = hex(`424a4e500201000017a4000000000000`);

test('bjnp: a BJNP discovery is BJNP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8612, dissectors: only }, [
    { payload: DISCOVER },
  ]);
  assert.equal(r.name, 'BJNP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Unidirectional Traffic'));
  assert.deepEqual(r.undeclared, []);
});

test('bjnp: a BJNS scanner command is BJNP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8610, dissectors: only }, [
    { payload: Buffer.concat([Buffer.from('BJNS', 'latin1'), DISCOVER.subarray(4)]) },
  ]);
  assert.equal(r.name, 'BJNP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bjnp: near miss: a payload length that does not match is not BJNP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8612, dissectors: only }, [
    { payload: Buffer.concat([DISCOVER, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bjnp: near miss: an unknown device type is not BJNP', () => {
  const r = dissect({ l4: 'udp', serverPort: 8612, dissectors: only }, [
    { payload: Buffer.concat([DISCOVER.subarray(0, 4), hex('05'), DISCOVER.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('bjnp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 8612, dissectors: only }, [{ payload: DISCOVER }], 'BJNP');
});
