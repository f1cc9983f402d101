import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as z3950 } from '../../../src/dpi/protocols/z3950';

const only = [z3950];
// z3950.pcapng: the YAZ client's InitializeRequest.
const INIT = Buffer.concat([
  hex('b4 52 83 02 00 e0 84 03 00 e9 a2 85 04 04 00 00 00 86 04 04 00 00 00 9f 6e 02 38 31 9f 6f 03'),
  Buffer.from('YAZ'),
  hex('9f 70 2f'),
  Buffer.from('5.27.1 872b6f92a024bb53bc1c11dfeccd47f065f98238'),
]);

test('z3950: an InitializeRequest on port 9991 is Z3950', () => {
  assert.equal(INIT.length, 0x52 + 2);
  const r = dissect({ serverPort: 9991, dissectors: only }, [{ payload: INIT }]);
  assert.equal(r.name, 'Z3950');
});

test('z3950: near misses: a wrong outer length and an LDAP BER message are not Z3950', () => {
  const bad = Buffer.from(INIT);
  bad[1] = 0x40;
  assert.notEqual(dissect({ serverPort: 210, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 210, dissectors: only }, [{ payload: hex('30 0c 02 01 01 60 07 02 01 03 04 00 80 00') }]).confidence, 'dpi');
});

test('z3950: every truncation of the PDU is handled; only the whole PDU is Z3950', () => {
  for (const b of prefixes(INIT)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 210, dissectors: only }, [{ payload: b }]);
    if (b.length === INIT.length) assert.equal(r.name, 'Z3950');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
