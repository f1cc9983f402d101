/**
 * Tests for the AFP dissector: the DSI header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as afp } from '../../../src/dpi/protocols/afp';

const only = [afp];

// afp.pcap, TCP 192.168.27.57:64987 -> 192.168.27.139:548: DSICommand.
const COMMAND = hex(`000222c6000000000000000600000000110000020e1c`);

// afp.pcap, same flow: the reply.
const REPLY = hex(`
  010222c60000000000000022000000000e1cc793279c2985232f800000000000
  00095cb170000000000ba4c7800000001000
`);

test('afp: a DSI command and reply are AFP', () => {
  const r = dissect({ serverPort: 548, dissectors: only }, [
    { payload: COMMAND },
    { dir: 1, payload: REPLY },
  ]);
  assert.equal(r.name, 'AFP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('afp: near miss: a DSI header with a non-zero reserved word is not AFP', () => {
  const r = dissect({ serverPort: 548, dissectors: only }, [
    { payload: Buffer.concat([COMMAND.subarray(0, 12), hex('00000001'), COMMAND.subarray(16)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('afp: near miss: an unknown DSI command is not AFP', () => {
  const r = dissect({ serverPort: 548, dissectors: only }, [
    { payload: Buffer.concat([hex('0009'), COMMAND.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('afp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 548, dissectors: only }, [{ payload: COMMAND }, { dir: 1, payload: REPLY }], 'AFP');
});
