import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/halflife2';

const only = [dissector];
const REQUEST = hex(`
  # ossfuzz_seed_fake_traces_1.pcapng frame 1 (20 bytes)
  ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 30 30 30 00
`);
const REPLY = hex(`
  # ossfuzz_seed_fake_traces_1.pcapng frame 2 (20 bytes)
  ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 30 30 30 00
`);

test('halflife2: a connectionless "000" handshake answered by the peer is HalfLife2', () => {
  const r = dissect({ l4: 'udp', serverPort: 27015, clientPort: 27005, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: REPLY }]);
  assert.equal(r.name, 'HalfLife2');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('halflife2: near miss: an unanswered handshake, or an A2S query answered, is not HalfLife2', () => {
  const once = dissect({ l4: 'udp', serverPort: 27015, dissectors: only }, [{ payload: REQUEST }, { payload: REQUEST }]);
  assert.notEqual(once.confidence, 'dpi');
  const a2s = hex('ff ff ff ff 54 53 6f 75 72 63 65 20 45 6e 67 69 6e 65 20 51 75 65 72 79 00');
  const r = dissect({ l4: 'udp', serverPort: 27015, dissectors: only }, [{ payload: a2s }, { dir: 1, payload: hex('ff ff ff ff 41 01 02 03 04') }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('halflife2: every truncation of the reply is handled; a cut reply is not recognised', () => {
  for (const b of prefixes(REPLY)) {
    const r = dissect({ l4: 'udp', serverPort: 27015, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === REPLY.length);
  }
});
