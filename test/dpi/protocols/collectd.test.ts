/**
 * Tests for the collectd dissector: typed parts tiling the datagram. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as collectd } from '../../../src/dpi/protocols/collectd';

const only = [collectd];

// host "myhost.local", high-resolution time, plugin "cpu", one DERIVE value.
const VALUES = hex(`
  000000116d79686f73742e6c6f63616c000008000c0000000163b5f2a0000200
  08637075000006000f0001020000000000001234
`);

test('collectd: a values datagram is collectd and names the host', () => {
  const r = dissect({ l4: 'udp', serverPort: 25826, dissectors: only }, [
    { payload: VALUES },
  ]);
  assert.equal(r.name, 'collectd');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'myhost.local');
  assert.deepEqual(r.undeclared, []);
});

test('collectd: near miss: an unknown part type is not collectd', () => {
  const r = dissect({ l4: 'udp', serverPort: 25826, dissectors: only }, [
    { payload: Buffer.concat([VALUES.subarray(0, 17), hex('0777'), VALUES.subarray(19)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('collectd: near miss: parts that do not tile the datagram are not collectd', () => {
  const r = dissect({ l4: 'udp', serverPort: 25826, dissectors: only }, [
    { payload: Buffer.concat([VALUES, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('collectd: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 25826, dissectors: only }, [{ payload: VALUES }], 'collectd');
});
