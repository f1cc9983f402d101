import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/dingtalk';

const only = [dissector];
const HANDSHAKE = hex(`
  # dingtalk.pcap frame 4 (104 bytes)
  10 64 87 80 01 00 01 00 02 00 02 64 6b 03 00 20 16 6d dd 35 5a 39 ce 32 7b b2 84 e5 3a c4 5a f7
  eb 6c 7d 1d 93 a8 f8 a3 75 4c fc 18 23 3b 8a 3d 04 00 08 9a 90 6e 16 d1 fc f4 a3 05 00 08 37 9d
  23 83 41 44 55 24 82 00 02 57 4b 84 00 1a 61 6e 64 72 6f 69 64 2f 33 2e 30 2e 32 38 2d 64 69 6e
  67 74 61 6c 6b 2e 67 70
`);

test('dingtalk: the client handshake frame on port 443 is DingTalk', () => {
  const r = dissect({ serverPort: 443, clientPort: 48910, dissectors: only }, [{ payload: HANDSHAKE }]);
  assert.equal(r.name, 'DingTalk');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dingtalk: near miss: a TLS ClientHello on port 443 is not DingTalk', () => {
  const hello = Buffer.concat([hex('16 03 01 00 5e 01 00 00 5a 03 03'), Buffer.alloc(91, 1)]);
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: hello }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('dingtalk: every truncation is handled; frames of 90 bytes or less are not recognised', () => {
  for (const b of prefixes(HANDSHAKE)) {
    const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length > 90);
  }
});
