import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/tencent_games';

const only = [dissector];
const FRAME_3366 = hex(`
  # tencent_games.pcap frame 4 (76 bytes)
  33 66 00 0b 00 0b 10 01 00 00 00 00 01 00 00 00 4c 00 00 00 00 02 03 00 00 27 10 00 00 00 65 00
  03 03 00 00 00 14 39 30 38 39 34 39 39 35 36 35 31 34 39 33 32 30 34 33 30 00 00 00 00 00 00 00
  00 00 00 00 03 00 00 00 00 00 00 00
`);
const ZLIB_FRAME = hex(`
  # tencent_games.pcap frame 20 (338 bytes, first 120 of 338 bytes)
  00 00 01 4e 78 01 35 51 cb 6a c3 30 10 fc 97 3d bb 46 ef 47 6e 39 94 9c 02 a5 d0 9b c1 c8 d6 3a
  98 d8 96 2b 8b 94 10 f2 ef 95 ed 04 e9 a0 1d ed 68 67 46 0f 58 f0 b7 ee 3d 1c 58 01 ed e8 b7 23
  25 84 16 90 ee 33 e6 73 01 5d 0c 63 dd cf 70 00 4a ca 75 51 62 a0 80 39 86 16 97 65 67 14 30 86
  37 b9 80 1b c6 a5 0f 53 66 1c cf a7 cf 9f 8f e3 e4 63 e8 fd 87 2c 49 26
`);

test('tencent_games: a 0x3366000B access-layer frame is TencentGames', () => {
  const r = dissect({ serverPort: 65010, clientPort: 43300, dissectors: only }, [{ payload: FRAME_3366 }]);
  assert.equal(r.name, 'TencentGames');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('tencent_games: a length-prefixed zlib frame is TencentGames', () => {
  // The corpus frame is 338 bytes; keep its first 120 bytes and fix the length prefix.
  const f = Buffer.from(ZLIB_FRAME);
  f.writeUInt16BE(f.length - 4, 2);
  const r = dissect({ serverPort: 20731, dissectors: only }, [{ payload: f }]);
  assert.equal(r.name, 'TencentGames');
});

test('tencent_games: near miss: the zlib frame with a wrong length, or a 3366 frame of another version, is not TencentGames', () => {
  const badLen = Buffer.from(ZLIB_FRAME);
  const badVer = Buffer.from(FRAME_3366);
  badVer[5] = 0x0c;
  for (const p of [badLen, badVer]) {
    const r = dissect({ serverPort: 20731, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('tencent_games: every truncation is handled; segments of 50 bytes or less are not recognised', () => {
  for (const b of prefixes(FRAME_3366)) {
    const r = dissect({ serverPort: 65010, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length > 50);
  }
});
