import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/among_us';

const only = [dissector];
const HELLO = hex(`
  # among_us.pcap frame 1 (15 bytes)
  08 00 01 00 80 d9 02 03 06 41 41 41 41 41 41
`);

test('among_us: the Hazel Hello with a 2020 client version and a name is AmongUs', () => {
  const r = dissect({ l4: 'udp', serverPort: 22023, clientPort: 64260, dissectors: only }, [{ payload: HELLO }]);
  assert.equal(r.name, 'AmongUs');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('among_us: near miss: a Hello with an implausible version or a name longer than the datagram is not AmongUs', () => {
  const version = Buffer.from(HELLO);
  version[7] = 0x7f;
  const name = Buffer.from(HELLO);
  name[8] = 0x20;
  for (const p of [version, name]) {
    const r = dissect({ l4: 'udp', serverPort: 22023, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('among_us: every truncation is handled; only the whole Hello is recognised', () => {
  for (const b of prefixes(HELLO)) {
    const r = dissect({ l4: 'udp', serverPort: 22023, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === HELLO.length);
  }
});
