/**
 * Tests for the Cassandra CQL dissector: STARTUP with CQL_VERSION, or OPTIONS
 * answered on the same stream. Fixtures follow native_protocol_v4.spec (the
 * corpus has no Cassandra flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as cassandra } from '../../../src/dpi/protocols/cassandra';

const only = [cassandra];

// CQL v4 OPTIONS request, stream 1, empty body.
const OPTIONS = hex(`040000010500000000`);

// CQL v4 SUPPORTED response, stream 1: { CQL_VERSION: [3.4.5] }.
const SUPPORTED = hex(`
  8400000106000000180001000b43514c5f56455253494f4e00010005332e342e
  35
`);

// CQL v4 STARTUP request, stream 2: { CQL_VERSION: 3.0.0 }.
const STARTUP = hex(`0400000201000000160001000b43514c5f56455253494f4e0005332e302e30`);

test('cassandra: OPTIONS answered by SUPPORTED on the same stream is Cassandra', () => {
  const r = dissect({ serverPort: 9042, dissectors: only }, [
    { payload: OPTIONS },
    { dir: 1, payload: SUPPORTED },
  ]);
  assert.equal(r.name, 'Cassandra');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cassandra: a STARTUP naming CQL_VERSION is Cassandra', () => {
  const r = dissect({ serverPort: 19042, dissectors: only }, [
    { payload: STARTUP },
  ]);
  assert.equal(r.name, 'Cassandra');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cassandra: near miss: OPTIONS answered on another stream is not Cassandra', () => {
  const r = dissect({ serverPort: 9042, dissectors: only }, [
    { payload: OPTIONS },
    { dir: 1, payload: Buffer.concat([SUPPORTED.subarray(0, 2), hex('0007'), SUPPORTED.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cassandra: near miss: a protocol v2 frame header is not recognised', () => {
  const r = dissect({ serverPort: 9042, dissectors: only }, [
    { payload: Buffer.concat([hex('02'), STARTUP.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cassandra: near miss: OPTIONS alone is not enough', () => {
  const r = dissect({ serverPort: 9042, dissectors: only }, [
    { payload: OPTIONS },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cassandra: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 9042, dissectors: only }, [{ payload: OPTIONS }, { dir: 1, payload: SUPPORTED }], 'Cassandra');
  truncations({ serverPort: 19042, dissectors: only }, [{ payload: STARTUP }], 'Cassandra');
});
