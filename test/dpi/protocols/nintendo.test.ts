import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/nintendo';

const only = [dissector];
const PIA = hex(`
  # nintendo.pcap frame 187 (76 bytes)
  32 ab 98 64 02 00 00 00 ec c0 00 00 89 5c 56 4c 74 17 60 b9 0c 98 48 6f dd 31 61 0a 8f 43 f7 45
  f0 a9 65 db 80 e9 59 0f 1f c7 77 ee 2b 5f 98 43 51 8e b0 7c 54 01 01 91 38 5e 72 5a ce eb 09 cd
  b5 50 9e 17 af 81 0a 69 8d 5c dd bd
`);

test('nintendo: a Pia packet (magic 32ab9864, encrypted) is Nintendo', () => {
  const r = dissect({ l4: 'udp', serverPort: 27520, clientPort: 55915, dissectors: only }, [{ payload: PIA }]);
  assert.equal(r.name, 'Nintendo');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nintendo: a Pia 5.11+ header (0x80 | version 4) is Nintendo too', () => {
  const v4 = Buffer.from(PIA);
  v4[4] = 0x84;
  const r = dissect({ l4: 'udp', serverPort: 49432, dissectors: only }, [{ payload: v4 }]);
  assert.equal(r.name, 'Nintendo');
});

test('nintendo: near miss: the magic with an unknown version byte, or another magic, is not Nintendo', () => {
  const badVersion = Buffer.from(PIA);
  badVersion[4] = 0x00;
  const badMagic = Buffer.from(PIA);
  badMagic[1] = 0xac;
  for (const p of [badVersion, badMagic]) {
    const r = dissect({ l4: 'udp', serverPort: 27520, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('nintendo: every truncation is handled; a cut header is not recognised', () => {
  for (const b of prefixes(PIA)) {
    const r = dissect({ l4: 'udp', serverPort: 27520, dissectors: only }, [{ payload: b }]);
    if (b.length < 16) assert.notEqual(r.confidence, 'dpi');
  }
});
