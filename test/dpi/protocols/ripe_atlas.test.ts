import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/ripe_atlas';

const only = [dissector];
const PROBE = hex(`
  # ripe_atlas.pcap frame 4 (25 bytes)
  4d 47 4c 4e 44 44 5f 31 31 2e 31 31 31 2e 31 31 2e 31 31 31 5f 31 31 31 33
`);

test('ripe_atlas: a Magellan probe payload is RipeAtlas', () => {
  const r = dissect({ l4: 'udp', serverPort: 38409, clientPort: 41059, dissectors: only }, [{ payload: PROBE }]);
  assert.equal(r.name, 'RipeAtlas');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  const v6 = dissect({ l4: 'udp', serverPort: 33434, dissectors: only }, [{ payload: Buffer.from('MGLNDD_2001:db8::1_33434') }]);
  assert.equal(v6.name, 'RipeAtlas');
});

test('ripe_atlas: near miss: the prefix followed by free text is not RipeAtlas', () => {
  for (const s of ['MGLNDD_hello world', 'MGLNDD_1.2.3.4_', 'MGLNDX_1.2.3.4_80']) {
    const r = dissect({ l4: 'udp', serverPort: 38409, dissectors: only }, [{ payload: Buffer.from(s) }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('ripe_atlas: every truncation is handled without throwing', () => {
  for (const b of prefixes(PROBE)) {
    const r = dissect({ l4: 'udp', serverPort: 38409, dissectors: only }, [{ payload: b }]);
    if (b.length <= 11) assert.notEqual(r.confidence, 'dpi');
  }
});
