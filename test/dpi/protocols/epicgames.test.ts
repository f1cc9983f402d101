import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/epicgames';

const only = [dissector];
const HANDSHAKE = hex(`
  # epicgames.pcapng frame 39 (54 bytes)
  47 1a 20 00 08 98 22 65 74 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 70 55 0f 8a 26 8e 79 a2 dd 77 c0 e8 28 b0 18
`);
const CHALLENGE = hex(`
  # epicgames.pcapng frame 40 (56 bytes)
  47 1a 20 08 08 98 22 65 74 04 00 00 40 62 29 fc aa 0d 0e 84 17 00 67 c3 a4 ae 74 27 cc 59 4c bc
  ec 2d aa 8a 95 0b 50 48 6e 75 ce 62 f5 81 f2 d7 2a ea 17 30 79 c7 15 1a
`);

test('epicgames: the Unreal stateless handshake and its challenge are EpicGames', () => {
  const r = dissect({ l4: 'udp', serverPort: 9011, clientPort: 39322, dissectors: only }, [{ payload: HANDSHAKE }, { dir: 1, payload: CHALLENGE }]);
  assert.equal(r.name, 'EpicGames');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('epicgames: retransmitted handshakes before the challenge are fine', () => {
  const r = dissect({ l4: 'udp', serverPort: 15011, dissectors: only }, [{ payload: HANDSHAKE }, { payload: HANDSHAKE }, { dir: 1, payload: CHALLENGE }]);
  assert.equal(r.name, 'EpicGames');
});

test('epicgames: near miss: a non-zero cookie, or a reply with another first word, is not EpicGames', () => {
  const cookie = Buffer.from(HANDSHAKE);
  cookie[20] = 1;
  const r1 = dissect({ l4: 'udp', serverPort: 9011, dissectors: only }, [{ payload: cookie }, { dir: 1, payload: CHALLENGE }]);
  assert.notEqual(r1.confidence, 'dpi');
  const other = Buffer.from(CHALLENGE);
  other[1] ^= 0x40;
  const r2 = dissect({ l4: 'udp', serverPort: 9011, dissectors: only }, [{ payload: HANDSHAKE }, { dir: 1, payload: other }]);
  assert.notEqual(r2.confidence, 'dpi');
});

test('epicgames: every truncation of the handshake is handled; a cut one is not recognised', () => {
  for (const b of prefixes(HANDSHAKE)) {
    const r = dissect({ l4: 'udp', serverPort: 9011, dissectors: only }, [{ payload: b }, { dir: 1, payload: CHALLENGE }]);
    assert.equal(r.confidence === 'dpi', b.length >= 34);
  }
});
