/**
 * Tests for the Radmin dissector: handshake and keep-alive messages. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as radmin } from '../../../src/dpi/protocols/radmin';

const only = [radmin];

// Client hello (10 bytes, code 1).
const HELLO = hex(`01000000010000000808`);

// Server answer (46 bytes, code 0x25).
const ANSWER = hex(`
  010000002500000212080200000a000000000000000000000000000000000000
  0000000000000000000000000000
`);

// Keep-alive (14 bytes, code 5).
const KEEPALIVE = hex(`0100000005000000272700000000`);

test('radmin: the client hello answered by the server is Radmin', () => {
  const r = dissect({ serverPort: 4899, dissectors: only }, [
    { payload: HELLO },
    { dir: 1, payload: ANSWER },
  ]);
  assert.equal(r.name, 'Radmin');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('radmin: two keep-alives are Radmin', () => {
  const r = dissect({ serverPort: 4899, dissectors: only }, [
    { payload: KEEPALIVE },
    { dir: 1, payload: KEEPALIVE },
  ]);
  assert.equal(r.name, 'Radmin');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('radmin: near miss: a hello answered with something else is not Radmin', () => {
  const r = dissect({ serverPort: 4899, dissectors: only }, [
    { payload: HELLO },
    { dir: 1, payload: Buffer.concat([ANSWER.subarray(0, 13), hex('0b'), ANSWER.subarray(14)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('radmin: near miss: a single keep-alive is not enough', () => {
  const r = dissect({ serverPort: 4899, dissectors: only }, [
    { payload: KEEPALIVE },
    { dir: 1, payload: Buffer.from('hello', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('radmin: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4899, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ANSWER }], 'Radmin');
  truncations({ serverPort: 4899, dissectors: only }, [{ payload: KEEPALIVE }, { dir: 1, payload: KEEPALIVE }], 'Radmin');
});
