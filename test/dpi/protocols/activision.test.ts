import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/activision';

const only = [dissector];
const REQUEST = hex(`
  # activision.pcap frame 16 (29 bytes)
  0d 02 00 c4 23 4a 84 b4 b1 34 cf ff d4 0f 7e 9a 37 c0 a8 00 15 02 0c 2d 3f 70 36 b5 87
`);
const ECHO = hex(`
  # activision.pcap frame 17 (29 bytes)
  0c 02 00 c4 23 4a 84 b4 b1 34 cf ff d4 0f 7e 9a 37 c0 a8 00 15 02 0c 2d 3f 70 36 b5 87
`);

test('activision: a 0x0d02 request echoed as 0x0c02 is Activision', () => {
  const r = dissect({ l4: 'udp', serverPort: 34741, clientPort: 3074, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: ECHO }]);
  assert.equal(r.name, 'Activision');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('activision: near miss: a reply that is not an echo is not Activision', () => {
  const changed = Buffer.from(ECHO);
  changed[10] ^= 0x55;
  for (const reply of [changed, REQUEST]) {
    const r = dissect({ l4: 'udp', serverPort: 3074, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: reply }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('activision: every truncation of the echo is handled; only the exact echo is recognised', () => {
  for (const b of prefixes(ECHO)) {
    const r = dissect({ l4: 'udp', serverPort: 3074, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === ECHO.length);
  }
});
