import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as edonkey } from '../../../src/dpi/protocols/edonkey';

const only = [edonkey];
/** OP_HELLO (eMule protocol specification 6.2.1): 0xE3, length, opcode 0x01, hash size 16, user hash, client id, port, tags. */
function hello(): Buffer {
  const body = Buffer.concat([hex('01 10'), Buffer.alloc(16, 0xab), hex('0a00000a 361200000000')]);
  const head = Buffer.alloc(5);
  head[0] = 0xe3;
  head.writeUInt32LE(body.length, 1);
  return Buffer.concat([head, body]);
}


test('edonkey: a hello message is eDonkey', () => {
  const r = dissect({ serverPort: 4662, dissectors: only }, [{ payload: hello() }]);
  assert.equal(r.name, 'eDonkey');
  assert.equal(r.confidence, 'dpi');
});

test('edonkey: near miss: another protocol byte, a length that does not fit', () => {
  const other = hello();
  other[0] = 0xe2;
  assert.notEqual(dissect({ serverPort: 4662, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
  const len = hello();
  len.writeUInt32LE(4000, 1);
  assert.notEqual(dissect({ serverPort: 4662, dissectors: only }, [{ payload: len }]).confidence, 'dpi');
});

test('edonkey: every truncation of the fixture is handled without mislabelling', () => {
  const h = hello();
  for (const b of prefixes(h)) assert.equal(direct(edonkey, 'tcp', [{ payload: b }]), b.length === h.length ? P.eDonkey : 0);
});
