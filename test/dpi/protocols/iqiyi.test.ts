import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/iqiyi';

const only = [dissector];
const REQUEST = hex(`
  # iqiyi.pcap frame 1 (135 bytes)
  1c 40 87 00 44 74 71 7a a4 f8 2b b7 30 07 f4 6b 02 00 00 00 00 00 00 14 97 dd 4e 60 6c 72 65 62
  b3 5e 12 69 0e e3 e1 c9 00 00 00 00 00 00 a0 21 82 04 01 00 08 00 0c 28 01 02 00 00 00 00 00 00
  00 00 00 00 00 0a 00 01 00 18 00 05 08 00 00 ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  50 50 53 74 72 65 61 6d 00 00 40 1d b4 f5 42 7a 09 00 01 0c c0 8a c4 47 e9 40 9f b5 4e 0f 73 46
  28 f5 e2 61 64 f8 d3
`);

test('iqiyi: a PPStream P2P request is iQIYI', () => {
  const r = dissect({ l4: 'udp', serverPort: 16600, clientPort: 50412, dissectors: only }, [{ payload: REQUEST }]);
  assert.equal(r.name, 'iQIYI');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iqiyi: near miss: the reply without the name, or the name in a large datagram, is not iQIYI', () => {
  const reply = dissect({ l4: 'udp', serverPort: 16600, dissectors: only }, [{ dir: 1, payload: REQUEST.subarray(0, 96) }]);
  assert.notEqual(reply.confidence, 'dpi');
  const big = dissect({ l4: 'udp', serverPort: 16600, dissectors: only }, [{ payload: Buffer.concat([REQUEST, Buffer.alloc(400)]) }]);
  assert.notEqual(big.confidence, 'dpi');
});

test('iqiyi: every truncation is handled without throwing', () => {
  for (const b of prefixes(REQUEST)) {
    const r = dissect({ l4: 'udp', serverPort: 16600, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length > 120);
  }
});
