import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/avast';

const only = [dissector];
const HELLO = hex(`
  # avast.pcap frame 131 (96 bytes)
  4e 4f 53 41 00 60 01 01 00 00 03 01 43 17 15 6f 42 52 45 14 00 00 00 00 05 88 82 a5 74 47 f9 69
  81 9e 74 f1 b1 36 93 35 9a 9e 8e 13 4c 49 43 14 96 35 28 93 d2 85 97 47 51 5d ce f6 b4 7b 50 17
  02 92 9d 82 40 72 92 05 4c 55 4e 10 02 f1 5a fe 00 96 0f 8c 74 a3 7d 16 95 54 5a c9 85 fd 08 50
`);
const REPLY = hex(`
  # avast.pcap frame 133 (16 bytes)
  4e 4f 53 41 00 10 01 02 00 00 00 00 e8 e6 7a 0c
`);

test('avast: a "NOSA" message whose length matches is AVAST', () => {
  const r = dissect({ serverPort: 80, clientPort: 62741, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: REPLY }]);
  assert.equal(r.name, 'AVAST');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('avast: near miss: HTTP on port 80, or "NOSA" with a wrong length, is not AVAST', () => {
  const wrong = Buffer.from(HELLO);
  wrong[5] += 1;
  for (const p of [Buffer.from('GET / HTTP/1.1\r\nHost: avast.com\r\n\r\n'), wrong]) {
    const r = dissect({ serverPort: 80, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('avast: every truncation is handled; only the whole message is recognised', () => {
  for (const b of prefixes(HELLO)) {
    const r = dissect({ serverPort: 80, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === HELLO.length);
  }
});
