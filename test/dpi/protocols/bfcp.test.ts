import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/bfcp';

const only = [dissector];
const RELEASE = hex(`
  # bfcp.pcapng frame 4 (12 bytes)
  20 03 00 01 00 00 00 01 00 02 05 04
`);
const STATUS = hex(`
  # bfcp.pcapng frame 6 (12 bytes)
  20 04 00 01 00 00 00 01 00 02 05 04
`);

test('bfcp: a FloorRelease and its FloorRequestStatus over TCP are BFCP', () => {
  const r = dissect({ serverPort: 5070, clientPort: 44450, dissectors: only }, [{ payload: RELEASE }, { dir: 1, payload: STATUS }]);
  assert.equal(r.name, 'BFCP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bfcp: the same exchange over UDP is BFCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 5070, dissectors: only }, [{ payload: RELEASE }, { dir: 1, payload: STATUS }]);
  assert.equal(r.name, 'BFCP');
});

test('bfcp: near miss: a reply for another conference, or a bad primitive, is not BFCP', () => {
  const conf = Buffer.from(STATUS);
  conf[7] = 9;
  const prim = Buffer.from(RELEASE);
  prim[1] = 40;
  for (const pkts of [[{ payload: RELEASE }, { dir: 1 as const, payload: conf }], [{ payload: prim }, { dir: 1 as const, payload: STATUS }]]) {
    const r = dissect({ serverPort: 5070, dissectors: only }, pkts);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('bfcp: every truncation of the reply is handled; a cut header is not recognised', () => {
  for (const b of prefixes(STATUS)) {
    const r = dissect({ l4: 'udp', serverPort: 5070, dissectors: only }, [{ payload: RELEASE }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === STATUS.length);
  }
});
