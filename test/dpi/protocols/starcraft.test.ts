import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/starcraft';

const only = [dissector];
const LOGON = hex(`
  # ossfuzz_seed_fake_traces_1.pcapng frame 11 (10 bytes)
  4a 00 00 0a 66 02 0a ed 2d 66
`);

test('starcraft: the Battle.net logon opening is Starcraft', () => {
  const r = dissect({ serverPort: 1119, clientPort: 50000, dissectors: only }, [{ payload: LOGON }]);
  assert.equal(r.name, 'Starcraft');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('starcraft: near miss: other traffic on port 1119 is not Starcraft', () => {
  for (const p of [hex('4a 00 00 0a 66 02 0a ed 2d 67'), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
    const r = dissect({ serverPort: 1119, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('starcraft: every truncation is handled; only the whole opening is recognised', () => {
  for (const b of prefixes(LOGON)) {
    const r = dissect({ serverPort: 1119, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === LOGON.length);
  }
});
