import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/nano';

const only = [dissector];
const HANDSHAKE = hex(`
  # nano.pcapng frame 4 (40 bytes)
  52 43 14 14 12 0a 05 00 f0 26 9f 5e 01 10 da 0f fa 6f b7 0e 5c 70 c4 6e c3 bd 3d e3 7c c6 6a c1
  39 5f dd e1 01 f3 55 44
`);

test('nano: a live-network node_id_handshake is Nano', () => {
  const r = dissect({ serverPort: 7075, clientPort: 59642, dissectors: only }, [{ payload: HANDSHAKE }]);
  assert.equal(r.name, 'Nano');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nano: near miss: versions out of order or an unknown network are not Nano', () => {
  const order = Buffer.from(HANDSHAKE);
  order[4] = 0x15;
  const net = Buffer.from(HANDSHAKE);
  net[1] = 0x44;
  for (const p of [order, net, Buffer.from('RCPT TO:<a@b>\r\n')]) {
    const r = dissect({ serverPort: 7075, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('nano: every truncation is handled; a cut header is not recognised', () => {
  for (const b of prefixes(HANDSHAKE)) {
    const r = dissect({ serverPort: 7075, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= 8);
  }
});
