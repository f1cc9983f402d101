/**
 * Tests for the MongoDB dissector: wire protocol header with a known opcode,
 * self-contained OP_MSG, or request and reply matched by requestID/responseTo.
 * Fixtures are built from the MongoDB Wire Protocol specification (the corpus
 * has no MongoDB flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as mongodb } from '../../../src/dpi/protocols/mongodb';

const only = [mongodb];

// OP_MSG (2013), requestID 1, one kind-0 section: { ping: 1, $db: "admin" }.
const OP_MSG = hex(`
  330000000100000000000000dd07000000000000001e0000001070696e670001
  00000002246462000600000061646d696e0000
`);

// OP_QUERY (2004) on admin.$cmd, requestID 7: { isMaster: 1 }.
const OP_QUERY = hex(`
  3a0000000700000000000000d40700000000000061646d696e2e24636d640000
  000000ffffffff130000001069734d6173746572000100000000
`);

// OP_REPLY (1) with responseTo 7: { ok: 1.0 }.
const OP_REPLY = hex(`
  3500000008000000070000000100000008000000000000000000000000000000
  0100000011000000016f6b00000000000000f03f00
`);

test('mongodb: a self-contained OP_MSG is MongoDB', () => {
  const r = dissect({ serverPort: 27017, dissectors: only }, [
    { payload: OP_MSG },
  ]);
  assert.equal(r.name, 'MongoDB');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mongodb: an OP_QUERY answered by OP_REPLY with its request id is MongoDB', () => {
  const r = dissect({ serverPort: 37017, dissectors: only }, [
    { payload: OP_QUERY },
    { dir: 1, payload: OP_REPLY },
  ]);
  assert.equal(r.name, 'MongoDB');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mongodb: near miss: a reply whose responseTo does not match the request is not MongoDB', () => {
  const r = dissect({ serverPort: 27017, dissectors: only }, [
    { payload: OP_QUERY },
    { dir: 1, payload: Buffer.concat([OP_REPLY.subarray(0, 8), hex('09000000'), OP_REPLY.subarray(12)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mongodb: near miss: a header whose length is not the segment length is not MongoDB', () => {
  const r = dissect({ serverPort: 27017, dissectors: only }, [
    { payload: Buffer.concat([hex('34000000'), OP_MSG.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mongodb: near miss: TLS on port 27017 is not MongoDB', () => {
  const r = dissect({ serverPort: 27017, dissectors: only }, [
    { payload: hex('160301002e0100002a0303000000000000000000000000000000000000000000000000000000000000000000000000000000') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mongodb: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 27017, dissectors: only }, [{ payload: OP_MSG }], 'MongoDB');
  truncations({ serverPort: 37017, dissectors: only }, [{ payload: OP_QUERY }, { dir: 1, payload: OP_REPLY }], 'MongoDB');
});
