import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as bfd } from '../../../src/dpi/protocols/bfd';

const only = [bfd];

// bfd.pcap frame 1: a control packet in state Down, detect multiplier 3.
const CONTROL = hex('204003180000000100000000000f4240000f42400007a120');

test('bfd: a control packet is BFD', () => {
  const r = dissect({ l4: 'udp', clientPort: 49152, serverPort: 3784, dissectors: only }, [{ payload: CONTROL }]);
  assert.equal(r.name, 'BFD');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('bfd: near misses: version 0, a zero detect multiplier, a length field not matching', () => {
  const v0 = Buffer.from(CONTROL);
  v0[0] = 0x00;
  const mult = Buffer.from(CONTROL);
  mult[2] = 0;
  const len = Buffer.from(CONTROL);
  len[3] = 26;
  for (const p of [v0, mult, len]) assert.notEqual(dissect({ l4: 'udp', serverPort: 3784, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
});

test('bfd: every truncation of the control packet is handled', () => {
  for (const b of prefixes(CONTROL)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 3784, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === CONTROL.length);
  }
});
