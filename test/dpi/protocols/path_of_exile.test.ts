import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/path_of_exile';

const only = [dissector];
const LOGIN = hex(`
  # path_of_exile.pcapng frame 4 (31 bytes)
  00 03 00 37 75 60 00 02 00 09 6e 44 50 49 5f 54 65 73 74 ec 8f ec f2 00 00 00 00 40 00 00 01
`);

test('path_of_exile: the login message is PathofExile', () => {
  const r = dissect({ serverPort: 6112, clientPort: 36262, dissectors: only }, [{ payload: LOGIN }]);
  assert.equal(r.name, 'PathofExile');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('path_of_exile: near miss: a wrong trailer or a name length that does not fit is not PathofExile', () => {
  const trailer = Buffer.from(LOGIN);
  trailer[trailer.length - 1] = 0x02;
  const nameLen = Buffer.from(LOGIN);
  nameLen[9] = 10;
  for (const p of [trailer, nameLen]) {
    const r = dissect({ serverPort: 6112, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('path_of_exile: every truncation is handled; only the whole message is recognised', () => {
  for (const b of prefixes(LOGIN)) {
    const r = dissect({ serverPort: 6112, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === LOGIN.length);
  }
});
