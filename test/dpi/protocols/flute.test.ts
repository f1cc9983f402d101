import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/flute';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

const FDT = hex(`
  # flute.pcapng frame 3 (274 bytes)
  10 10 08 00 00 00 00 00 00 00 00 00 c0 10 00 03 40 04 00 00 00 00 00 ee 00 00 05 9c 00 00 00 40
  00 00 00 00 3c 3f 78 6d 6c 20 76 65 72 73 69 6f 6e 3d 22 31 2e 30 22 20 65 6e 63 6f 64 69 6e 67
  3d 22 55 54 46 2d 38 22 3f 3e 0a 3c 46 44 54 2d 49 6e 73 74 61 6e 63 65 20 45 78 70 69 72 65 73
  3d 22 31 37 31 30 37 37 30 35 30 32 22 20 46 45 43 2d 4f 54 49 2d 46 45 43 2d 45 6e 63 6f 64 69
  6e 67 2d 49 44 3d 22 30 22 20 46 45 43 2d 4f 54 49 2d 4d 61 78 69 6d 75 6d 2d 53 6f 75 72 63 65
  2d 42 6c 6f 63 6b 2d 4c 65 6e 67 74 68 3d 22 36 34 22 20 46 45 43 2d 4f 54 49 2d 45 6e 63 6f 64
  69 6e 67 2d 53 79 6d 62 6f 6c 2d 4c 65 6e 67 74 68 3d 22 31 34 33 36 22 20 78 6d 6c 6e 73 3a 6d
  62 6d 73 32 30 30 37 3d 22 75 72 6e 3a 33 47 50 50 3a 6d 65 74 61 64 61 74 61 3a 32 30 30 37 3a
  4d 42 4d 53 3a 46 4c 55 54 45 3a 46 44 54 22 2f 3e 0a
`);
const OBJECT = hex(`
  # flute.pcapng frame 2 (29 bytes)
  10 10 03 00 00 00 00 00 00 00 00 01 00 00 00 00 48 65 6c 6c 6f 20 57 6f 72 6c 64 21 0a
`);

test('flute: an ALC/LCT packet carrying the FDT instance is FLUTE', () => {
  const r = dissect({ l4: 'udp', serverPort: 40085, clientPort: 40717, server: '238.1.1.95', dissectors: only }, [{ payload: FDT }]);
  assert.equal(r.name, 'FLUTE');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('flute: a file object first, then the FDT, is FLUTE', () => {
  const r = dissect({ l4: 'udp', serverPort: 40085, dissectors: only }, [{ payload: OBJECT }, { payload: FDT }]);
  assert.equal(r.name, 'FLUTE');
});

test('flute: near miss: file objects alone (TOI 1) are not FLUTE', () => {
  const r = dissect({ l4: 'udp', serverPort: 40085, dissectors: only }, [{ payload: OBJECT }, { payload: OBJECT }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('flute: every truncation of the FDT packet is handled; a cut XML declaration is not recognised', () => {
  for (const b of prefixes(FDT)) {
    const v = direct(b).verdict;
    assert.notEqual(v, Verdict.Detected);
    if (b.length < 32 + 4 + 5) assert.notEqual(v, Verdict.Done);
  }
});
