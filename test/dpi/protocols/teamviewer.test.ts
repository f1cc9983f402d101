/**
 * Tests for the TeamViewer dissector: the 0x17 0x24 command magic in two
 * payloads from the start of the flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as teamviewer } from '../../../src/dpi/protocols/teamviewer';

const only = [teamviewer];

// ossfuzz_seed_fake_traces_2.pcapng, TCP 192.168.0.1:8787 -> 10.10.10.1:32177: first command (0x17 0x24).
const CMD1 = hex(`
  17240a200000000000000000004800800001000000148000006fb78c80480553
  2216142004
`);

// ossfuzz_seed_fake_traces_2.pcapng, same flow: second command.
const CMD2 = hex(`
  1724281800008000007fffffff8080000000000000000000000000000017243c
  20008c00008014800000078000000080000004000000078000000180ff008000
  0005
`);

test('teamviewer: two commands with the magic are TeamViewer', () => {
  const r = dissect({ clientPort: 8787, serverPort: 32177, dissectors: only }, [
    { payload: CMD1 },
    { payload: CMD2 },
  ]);
  assert.equal(r.name, 'TeamViewer');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('teamviewer: near miss: a single command with the magic is not enough', () => {
  const r = dissect({ serverPort: 5938, dissectors: only }, [
    { payload: CMD1 },
    { payload: Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('teamviewer: near miss: the magic appearing only in a later packet is not TeamViewer', () => {
  const r = dissect({ serverPort: 5938, dissectors: only }, [
    { payload: Buffer.from('hello', 'latin1') },
    { payload: CMD1 },
    { payload: CMD2 },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('teamviewer: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ clientPort: 8787, serverPort: 32177, dissectors: only }, [{ payload: CMD1 }, { payload: CMD2 }], 'TeamViewer');
});
