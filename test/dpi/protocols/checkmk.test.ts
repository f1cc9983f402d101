/**
 * Tests for the CHECKMK dissector: the agent output header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as checkmk } from '../../../src/dpi/protocols/checkmk';

const only = [checkmk];

// check_mk_new.pcap, TCP 192.168.100.22:58998 -> 192.168.100.50:6556: the agent\x27s first line.
const HEADER = hex(`3c3c3c636865636b5f6d6b3e3e3e0a`);

test('checkmk: the "<<<check_mk>>>" header is CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: HEADER },
  ]);
  assert.equal(r.name, 'CHECKMK');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('checkmk: near miss: another section header is not CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: Buffer.from('<<<df>>>\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('checkmk: near miss: the header without a line end is not CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: Buffer.from('<<<check_mk>>>x', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('checkmk: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6556, dissectors: only }, [{ dir: 1, payload: HEADER }], 'CHECKMK');
});
