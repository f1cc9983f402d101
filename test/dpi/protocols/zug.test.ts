import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/zug';

const only = [dissector];
const MSG = hex(`
  # zug.pcap frame 7 (122 bytes)
  00 7a 55 47 10 99 aa bc 00 6e e2 dd 06 5c ea b3 ee 3d 5a c4 b1 6f da 21 22 a9 92 8e b6 55 da 95
  7c be ad b7 02 05 5e 9b 4f eb 8c aa 5d 81 fe 60 d9 df 1b ec a8 9c f3 1a 96 16 82 28 9f 1d 15 35
  fe 38 d4 9f c6 05 d6 de 90 1f 32 54 23 c3 c9 aa 5e af aa 9a 8a ca 47 18 22 7d cc 45 ed b5 b5 69
  a3 1a db 83 94 04 45 c9 d5 f9 8a 79 cd b3 0d 44 97 71 bd 87 c4 0d ba 55 79 28
`);

test('zug: a datagram with its length, "UG" and version 0x10 is ZUG', () => {
  const r = dissect({ l4: 'udp', serverPort: 19000, clientPort: 44174, dissectors: only }, [{ payload: MSG }]);
  assert.equal(r.name, 'ZUG');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('zug: near miss: the magic with a length that does not match the datagram is not ZUG', () => {
  const r = dissect({ l4: 'udp', serverPort: 19000, dissectors: only }, [{ payload: Buffer.concat([MSG, Buffer.alloc(4)]) }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('zug: every truncation is handled; only the whole datagram is recognised', () => {
  for (const b of prefixes(MSG)) {
    const r = dissect({ l4: 'udp', serverPort: 19000, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === MSG.length);
  }
});
