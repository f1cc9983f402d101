import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/yojimbo';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

// yojimbo.pcap frame 1 (1078 bytes): the 54 bytes before the encrypted token; the 1024-byte token is filled here.
const HEAD = hex(`
  # yojimbo.pcap frame 1 (1078 bytes, first 54 of 1078 bytes)
  00 4e 45 54 43 4f 44 45 20 31 2e 30 32 00 00 00 00 00 00 00 00 00 20 13 ad 65 00 00 00 00 28 46
  28 e1 cc 6c c5 b7 8e d1 b1 a7 e3 b9 0b e9 b2 03 87 01 5b e9 c5 cd
`);
const REQUEST = Buffer.concat([HEAD, Buffer.alloc(1024, 0xa5)]);

test('yojimbo: the netcode connection request is Yojimbo', () => {
  const r = dissect({ l4: 'udp', serverPort: 40000, clientPort: 34638, dissectors: only }, [{ payload: REQUEST }]);
  assert.equal(r.name, 'Yojimbo');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('yojimbo: near miss: the version string in a datagram of another size is not Yojimbo', () => {
  const r = dissect({ l4: 'udp', serverPort: 40000, dissectors: only }, [{ payload: REQUEST.subarray(0, 200) }]);
  assert.notEqual(r.confidence, 'dpi');
  const other = Buffer.from(REQUEST);
  other.write('NETCOD', 1, 'latin1');
  other[7] = 0x58;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 40000, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
});

test('yojimbo: every truncation is handled; only the whole request is recognised', () => {
  for (const b of prefixes(REQUEST)) {
    assert.equal(direct(b).verdict === Verdict.Done, b.length === REQUEST.length);
  }
});
