import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/oicq';

const only = [dissector];
const MSG = hex(`
  # oicq.pcap frame 12 (52 bytes)
  02 3b 0b 00 01 00 22 56 1f 0c 7b 00 00 00 00 00 00 00 00 12 78 60 45 ef ce bd f3 90 bf 1f 00 f1
  d4 f8 06 aa ab 11 35 9e 1d 43 3e 18 33 0f 6c 8b 53 83 9a 03
`);

test('oicq: a QQ client message (0x02 ... 0x03, version 0x3b0b, command 1) is OICQ', () => {
  const r = dissect({ l4: 'udp', serverPort: 8000, clientPort: 54233, dissectors: only }, [{ payload: MSG }]);
  assert.equal(r.name, 'OICQ');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('oicq: the same message on another port is still OICQ', () => {
  const r = dissect({ l4: 'udp', serverPort: 4000, dissectors: only }, [{ payload: MSG }]);
  assert.equal(r.name, 'OICQ');
});

test('oicq: near miss: a message without the end marker or with an unknown command is not OICQ', () => {
  const noEnd = Buffer.from(MSG);
  noEnd[noEnd.length - 1] = 0x00;
  const badCmd = Buffer.from(MSG);
  badCmd[3] = 0x02;
  badCmd[4] = 0x00;
  for (const p of [noEnd, badCmd, hex('02 00 01 00 01 00 01 00 00 00 01 03')]) {
    const r = dissect({ l4: 'udp', serverPort: 8000, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('oicq: every truncation of a message is handled without throwing or mislabelling', () => {
  for (const b of prefixes(MSG)) {
    const r = dissect({ l4: 'udp', serverPort: 8000, dissectors: only }, [{ payload: b }]);
    if (b.length < MSG.length && b[b.length - 1] !== 0x03) assert.notEqual(r.confidence, 'dpi');
  }
});
