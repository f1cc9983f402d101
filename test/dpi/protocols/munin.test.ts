/**
 * Tests for the Munin dissector: the node greeting. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as munin } from '../../../src/dpi/protocols/munin';

const only = [munin];

// munin-node greeting.
const GREETING = hex(`
  23206d756e696e206e6f6465206174207365727665722e6578616d706c652e6f
  72670a
`);

test('munin: the node greeting is Munin and names the node', () => {
  const r = dissect({ serverPort: 4949, dissectors: only }, [
    { dir: 1, payload: GREETING },
  ]);
  assert.equal(r.name, 'Munin');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'server.example.org');
  assert.deepEqual(r.undeclared, []);
});

test('munin: near miss: a greeting without a host name is not Munin', () => {
  const r = dissect({ serverPort: 4949, dissectors: only }, [
    { dir: 1, payload: Buffer.from('# munin node at \n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('munin: near miss: a shell comment is not Munin', () => {
  const r = dissect({ serverPort: 4949, dissectors: only }, [
    { dir: 1, payload: Buffer.from('# munin is a tool\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('munin: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4949, dissectors: only }, [{ dir: 1, payload: GREETING }], 'Munin');
});
