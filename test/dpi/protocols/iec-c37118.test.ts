/**
 * Tests for the IEEE-C37118 dissector: SYNC word, frame size and CRC-CCITT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as c37118 } from '../../../src/dpi/protocols/iec-c37118';

const only = [c37118];

// ieee_c37118.pcap, TCP 192.168.0.20:36835 -> 192.168.0.241:4712: command frame (send CFG-2).
const COMMAND = hex(`aa41001200f100000000000000000005d7d0`);

// ieee_c37118.pcap, same flow: CFG-2 frame.
const CONFIG = hex(`
  aa31008600f14893344a0019999a00ffffff0001426c756520504d5520202020
  2020202000f1000600040000000056314c504d20202020202020202020205641
  4c504d202020202020202020202056424c504d20202020202020202020205643
  4c504d2020202020202020202020000000010000000100000001000000010001
  00590032c1e2
`);

test('iec-c37118: a command frame and configuration frame are IEEE-C37118', () => {
  const r = dissect({ serverPort: 4712, dissectors: only }, [
    { payload: COMMAND },
    { dir: 1, payload: CONFIG },
  ]);
  assert.equal(r.name, 'IEEE-C37118');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec-c37118: a configuration frame over UDP is IEEE-C37118', () => {
  const r = dissect({ l4: 'udp', serverPort: 4713, dissectors: only }, [
    { dir: 1, payload: CONFIG },
  ]);
  assert.equal(r.name, 'IEEE-C37118');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iec-c37118: near miss: a frame with a bad CRC is not IEEE-C37118', () => {
  const r = dissect({ serverPort: 4712, dissectors: only }, [
    { payload: Buffer.concat([COMMAND.subarray(0, 16), hex('0000')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec-c37118: near miss: an unknown frame type is not IEEE-C37118', () => {
  const r = dissect({ serverPort: 4712, dissectors: only }, [
    { payload: Buffer.concat([hex('aa71'), COMMAND.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iec-c37118: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4712, dissectors: only }, [{ payload: COMMAND }, { dir: 1, payload: CONFIG }], 'IEEE-C37118');
});
