import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/i3d';

const only = [dissector];
const REQUEST = hex(`
  # i3d.pcap frame 46 (74 bytes)
  00 01 00 46 00 03 cf a8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 16 b0
`);
const REPLY = hex(`
  # i3d.pcap frame 47 (74 bytes)
  00 02 00 46 00 03 cf a8 39 30 2e 31 38 36 2e 31 33 32 2e 31 33 33 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 f3 fd
`);
const MEDIA = hex(`
  # i3d.pcap frame 48 (1215 bytes, first 96 of 1215 bytes)
  90 67 f3 9d ee d8 0b 5c 00 03 cf a9 be de 00 03 98 dc e1 d1 1a de fb f3 89 8f 64 71 83 e9 32 de
  16 76 59 14 6d b7 8c d6 85 9f 4a 21 70 27 d1 ad f8 ab d1 00 07 23 dc a1 16 0c 7e 91 24 90 2f ba
  ef 10 7b 88 c0 82 44 a9 f3 bf c3 3c 25 07 12 8c 24 6f 4d 23 b6 02 fa f2 03 a0 80 96 ea d9 b3 94
`);
const MEDIA_OTHER_EXT = hex(`
  # i3d.pcap frame 18 (365 bytes, first 96 of 365 bytes)
  90 78 c0 60 1a cd a4 32 00 03 cf a8 be de 00 01 62 dc be bf a5 66 43 99 2a 7f 4d e3 08 ab d5 72
  4c 32 92 23 fa b6 1c bb 32 bd 6f 50 75 75 26 14 02 eb 25 94 64 83 ec 89 2c fe 50 c9 18 72 d1 a7
  6e 95 da 80 cc 7e f0 6f 56 0f dc 7a 1b 94 cc d3 ee 4d a5 32 09 b7 98 c8 1c ea 74 dd 90 01 67 02
`);

test('i3d: the address-discovery request and reply are i3D', () => {
  for (const [dir, p] of [[0, REQUEST], [1, REPLY]] as const) {
    const r = dissect({ l4: 'udp', serverPort: 50004, clientPort: 62461, dissectors: only }, [{ dir, payload: p }]);
    assert.equal(r.name, 'i3D');
    assert.equal(r.confidence, 'dpi');
    assert.deepEqual(r.undeclared, []);
  }
});

test('i3d: an RTP media packet with i3D\'s SSRC and extension (first 96 bytes of a corpus one) is i3D', () => {
  const r = dissect({ l4: 'udp', serverPort: 50004, dissectors: only }, [{ payload: MEDIA }]);
  assert.equal(r.name, 'i3D');
});

test('i3d: near miss: Discord\'s IP discovery with another SSRC, a bad length field, or other RTP is not i3D', () => {
  const discord = Buffer.from(REQUEST);
  discord.writeUInt32BE(0x00001234, 4);
  for (const p of [discord, Buffer.concat([REQUEST, Buffer.alloc(2)]), MEDIA_OTHER_EXT]) {
    const r = dissect({ l4: 'udp', serverPort: 50004, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('i3d: every truncation is handled; only the whole 74-byte request is recognised', () => {
  for (const b of prefixes(REQUEST)) {
    const r = dissect({ l4: 'udp', serverPort: 50004, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === REQUEST.length);
  }
});
