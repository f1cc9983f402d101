import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/netease_games';

const only = [dissector];
const HELLO = hex(`
  # netease_games.pcapng frame 11 (12 bytes)
  01 b5 d0 01 11 2a 3d 03 00 01 01 01
`);
const LOST_LIGHT = hex(`
  # netease_games.pcapng frame 14 (30 bytes)
  b3 af 8d e8 ff 00 72 57 35 5c 5c 6e 66 63 71 6a 49 2f 54 5a 67 63 74 74 55 53 7a 69 42 2b
`);
const NARAKA = hex(`
  # netease_games.pcapng frame 16 (82 bytes)
  07 08 08 0c 62 63 86 18 00 00 00 00 00 00 00 01 00 00 03 ac f8 45 8b 4d 10 29 d4 14 06 77 2d f0
  cb 14 07 d4 0e 32 67 89 14 8b c7 48 19 b3 cf 77 4a d1 16 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`);

test('netease_games: the client hello and the Lost Light and Naraka headers are NetEaseGames', () => {
  for (const p of [HELLO, LOST_LIGHT, NARAKA]) {
    const r = dissect({ l4: 'udp', serverPort: 4513, clientPort: 56588, dissectors: only }, [{ payload: p }]);
    assert.equal(r.name, 'NetEaseGames');
    assert.equal(r.confidence, 'dpi');
    assert.deepEqual(r.undeclared, []);
  }
});

test('netease_games: near miss: the hello from the server side, or a changed magic, is not NetEaseGames', () => {
  const r = dissect({ l4: 'udp', serverPort: 4513, dissectors: only }, [{ payload: hex('00 11 22 33 44 55 66 77 88 99 aa bb') }, { dir: 1, payload: HELLO }]);
  assert.notEqual(r.confidence, 'dpi');
  const changed = Buffer.from(LOST_LIGHT);
  changed[0] = 0xb4;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4170, dissectors: only }, [{ payload: changed }]).confidence, 'dpi');
});

test('netease_games: every truncation is handled; cut messages are not recognised', () => {
  for (const full of [HELLO, LOST_LIGHT]) {
    for (const b of prefixes(full)) {
      const r = dissect({ l4: 'udp', serverPort: 4513, dissectors: only }, [{ payload: b }]);
      assert.equal(r.confidence === 'dpi', b.length === full.length);
    }
  }
});
