/**
 * Tests for the EtherSIO dissector: the "ESIO" header. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as ethersio } from '../../../src/dpi/protocols/ethersio';

const only = [ethersio];

// Ether-SIO telegram: "ESIO", version 0, type 1, reserved 0, 20 bytes.
const TELEGRAM = hex(`4553494f00010000000000000000000000000000`);

test('ethersio: an ESIO telegram is EtherSIO', () => {
  const r = dissect({ l4: 'udp', serverPort: 6060, dissectors: only }, [
    { payload: TELEGRAM },
  ]);
  assert.equal(r.name, 'EtherSIO');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ethersio: near miss: telegram type 3 is not EtherSIO', () => {
  const r = dissect({ l4: 'udp', serverPort: 6060, dissectors: only }, [
    { payload: Buffer.concat([TELEGRAM.subarray(0, 5), hex('03'), TELEGRAM.subarray(6)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ethersio: near miss: a short datagram is not EtherSIO', () => {
  const r = dissect({ l4: 'udp', serverPort: 6060, dissectors: only }, [
    { payload: TELEGRAM.subarray(0, 12) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ethersio: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 6060, dissectors: only }, [{ payload: TELEGRAM }], 'EtherSIO');
});
