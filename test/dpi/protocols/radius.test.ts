import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as radius } from '../../../src/dpi/protocols/radius';

const only = [radius];

/** A RADIUS packet: code, identifier, authenticator, attributes [type, value]. */
function packet(code: number, attrs: [number, Buffer][]): Buffer {
  const a = Buffer.concat(attrs.map(([t, v]) => Buffer.concat([Buffer.from([t, v.length + 2]), v])));
  const h = Buffer.alloc(20, 0x5a);
  h[0] = code;
  h[1] = 7;
  h.writeUInt16BE(20 + a.length, 2);
  return Buffer.concat([h, a]);
}

const REQUEST = packet(1, [[1, Buffer.from('alice')], [4, Buffer.from([192, 0, 2, 1])], [5, Buffer.from([0, 0, 0, 1])]]);
const ACCEPT = packet(2, [[18, Buffer.from('welcome')]]);

test('radius: an Access-Request and Access-Accept on 1812 are Radius', () => {
  const r = dissect({ l4: 'udp', serverPort: 1812, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: ACCEPT }]);
  assert.equal(r.name, 'Radius');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('radius: off its ports the attributes must fill the packet', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 11812, dissectors: only }, [{ payload: REQUEST }]).name, 'Radius');
  const bad = Buffer.from(REQUEST);
  bad[21] = 40;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 11812, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
});

test('radius: near misses: a length not matching the datagram, an unknown code, DNS on 1812', () => {
  const len = Buffer.from(REQUEST);
  len[3] += 1;
  const code = Buffer.from(REQUEST);
  code[0] = 9;
  for (const p of [len, code, Buffer.from('784301000001000000000000026537087768617473617070036e65740000010001', 'hex')]) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 1812, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('radius: every truncation of the request is handled', () => {
  for (const b of prefixes(REQUEST)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 1812, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === REQUEST.length);
  }
});
