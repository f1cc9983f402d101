import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/hots';

const only = [dissector];
const SERVER_PACKET = hex(`
  # hots.pcapng frame 61 (83 bytes)
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 40 00 4b 2a 83 78 52 7b 7b 3d e6 98 4d b9 d9 ef 7d 08
  9b 3a cd fc c5 1d a9 2e 45 46 d3 d4 ac f6 b8 b9 38 92 67 8b cb 4e 3b 39 4f 26 c3 73 6f ea da 07
  cf 3d 0a 96 d7 4e e2 20 6e ce 02 3a 8c a2 d7 ac ff f0 68
`);
const CLIENT_PACKET = hex(`
  # hots.pcapng frame 1 (24 bytes)
  e6 5d 34 00 97 27 14 f7 3f 95 aa e0 3e 36 40 00 1a bc 63 b3 2a c9 fd a5
`);

test('hots: game datagrams on Blizzard\'s game ports are Heroes_of_the_Storm', () => {
  const r = dissect({ l4: 'udp', serverPort: 3724, clientPort: 50609, dissectors: only }, [{ dir: 1, payload: SERVER_PACKET }]);
  assert.equal(r.name, 'Heroes_of_the_Storm');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  const c = dissect({ l4: 'udp', serverPort: 3724, clientPort: 54598, dissectors: only }, [{ payload: CLIENT_PACKET }]);
  assert.equal(c.name, 'Heroes_of_the_Storm');
});

test('hots: near miss: the same bytes off Blizzard\'s ports, or other bytes on them, are not Heroes_of_the_Storm', () => {
  const off = dissect({ l4: 'udp', serverPort: 40000, clientPort: 50000, dissectors: only }, [{ payload: SERVER_PACKET }]);
  assert.notEqual(off.confidence, 'dpi');
  const other = Buffer.from(CLIENT_PACKET);
  other[14] = 0x41;
  const on = dissect({ l4: 'udp', serverPort: 3724, dissectors: only }, [{ payload: other }]);
  assert.notEqual(on.confidence, 'dpi');
});

test('hots: every truncation is handled; datagrams under 20 bytes are not recognised', () => {
  for (const b of prefixes(SERVER_PACKET)) {
    const r = dissect({ l4: 'udp', serverPort: 3724, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= 20);
  }
});
