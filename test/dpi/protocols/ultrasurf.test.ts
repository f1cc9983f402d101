import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/ultrasurf';

const only = [dissector];
const OPENING = hex(`
  # ultrasurf.pcap frame 1 (2576 bytes, first 64 of 2576 bytes)
  cc 1c 30 41 5b a4 38 66 99 6f eb a3 ff c3 dd 23 91 a2 eb c6 70 b2 55 9e cf 1e 69 3b b6 df fd 38
  d9 a5 15 8f ad 67 37 a5 e6 d2 28 e7 69 48 3e 36 99 9a a3 e6 a1 4b 96 05 5a 55 39 83 10 ad d4 1b
`);

test('ultrasurf: the tunnel preamble is UltraSurf', () => {
  const r = dissect({ serverPort: 37898, clientPort: 50053, dissectors: only }, [{ payload: OPENING }]);
  assert.equal(r.name, 'UltraSurf');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ultrasurf: near miss: a TLS ClientHello start is not UltraSurf', () => {
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: Buffer.from('160301020001', 'hex') }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ultrasurf: every truncation is handled; a cut preamble is not recognised', () => {
  for (const b of prefixes(OPENING)) {
    const r = dissect({ serverPort: 37898, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= 8);
  }
});
