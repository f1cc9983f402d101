/**
 * Tests for the Ceph dissector: the messenger banner. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as ceph } from '../../../src/dpi/protocols/ceph';

const only = [ceph];

// Messenger v1 banner "ceph v027" and the start of an entity address.
const BANNER_V1 = hex(`6365706820763032370000000000000000`);

// Messenger v2 banner "ceph v2\\n", payload length 16 and feature bits.
const BANNER_V2 = hex(`636570682076320a100001000000000000000000000000000000`);

test('ceph: a v1 banner is Ceph', () => {
  const r = dissect({ serverPort: 6789, dissectors: only }, [
    { payload: BANNER_V1 },
  ]);
  assert.equal(r.name, 'Ceph');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ceph: a v2 banner is Ceph', () => {
  const r = dissect({ serverPort: 3300, dissectors: only }, [
    { dir: 1, payload: BANNER_V2 },
    { payload: BANNER_V2 },
  ]);
  assert.equal(r.name, 'Ceph');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ceph: near miss: "ceph version" text is not Ceph', () => {
  const r = dissect({ serverPort: 3300, dissectors: only }, [
    { payload: Buffer.from('ceph version 17.2.6\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ceph: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6789, dissectors: only }, [{ payload: BANNER_V1 }], 'Ceph');
  truncations({ serverPort: 3300, dissectors: only }, [{ dir: 1, payload: BANNER_V2 }, { payload: BANNER_V2 }], 'Ceph');
});
