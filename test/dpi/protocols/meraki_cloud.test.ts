import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/meraki_cloud';

const only = [dissector];
const MSG = hex(`
  # merakicloud.pcapng frame 1 (112 bytes)
  fe f7 28 91 0d 01 00 70 06 8a 1b 4e 00 00 00 00 2a 66 c9 97 00 00 00 00 00 56 02 08 63 be be 1b
  2a 09 15 04 03 24 1c f3 1e 6d f0 b7 92 71 64 3b 26 15 58 7f 3a f9 4a d4 87 9f 99 92 2c 27 81 3a
  72 0a 53 01 85 36 d7 47 9c 19 04 08 00 00 00 77 00 51 ae 7b 05 08 00 00 80 ec 00 00 80 5c 07 08
  00 00 00 02 38 05 6a a7 06 01 04 08 03 e0 cb bc
`);
const REPLY = hex(`
  # merakicloud.pcapng frame 2 (46 bytes)
  fe f7 28 91 0d 01 00 2e 06 00 00 02 00 00 00 00 00 00 00 00 00 00 00 01 00 14 02 08 63 be be 34
  29 9a 7a 93 07 08 00 00 00 02 38 05 6a a7
`);

test('meraki_cloud: a tunnel message with the magic and its length is MerakiCloud', () => {
  const r = dissect({ l4: 'udp', serverPort: 7351, clientPort: 47301, dissectors: only }, [{ payload: MSG }, { dir: 1, payload: REPLY }]);
  assert.equal(r.name, 'MerakiCloud');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('meraki_cloud: near miss: the magic with a wrong length on port 7351 is not MerakiCloud', () => {
  const r = dissect({ l4: 'udp', serverPort: 7351, dissectors: only }, [{ payload: Buffer.concat([MSG, Buffer.alloc(1)]) }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('meraki_cloud: every truncation is handled; only the whole message is recognised', () => {
  for (const b of prefixes(MSG)) {
    const r = dissect({ l4: 'udp', serverPort: 7351, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === MSG.length);
  }
});
