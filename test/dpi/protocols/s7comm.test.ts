/**
 * Tests for the S7comm dissector: COTP connection let through, S7comm or
 * S7CommPlus in the first Data TPDU. Fixtures follow the S7comm header layout
 * (the corpus has no S7 flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as s7comm } from '../../../src/dpi/protocols/s7comm';

const only = [s7comm];

// COTP connection request with TSAPs 0x0100 / 0x0102.
const CR = hex(`0300001611e00000000100c0010ac1020100c2020102`);

// COTP connection confirm.
const CC = hex(`0300001611d00001000100c0010ac1020100c2020102`);

// S7comm job "Setup communication" (ROSCTR 1, 8 parameter bytes).
const SETUP = hex(`0300001902f08032010000000000080000f0000001000101e0`);

// S7comm-plus PDU (protocol id 0x72, version 1).
const PLUS = hex(`0300001d02f08072010010313600000000000000000000000000000000`);

test('s7comm: COTP connection then an S7comm setup job is S7Comm', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: SETUP },
  ]);
  assert.equal(r.name, 'S7Comm');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('s7comm: an S7comm-plus PDU is S7CommPlus', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: PLUS },
  ]);
  assert.equal(r.name, 'S7CommPlus');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('s7comm: near miss: MMS (session CONNECT) in the Data TPDU is not S7comm', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: hex('0300000f02f0800d0605061301001601') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('s7comm: near miss: an S7 header whose lengths do not add up is not S7comm', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: Buffer.concat([SETUP.subarray(0, 14), hex('0009'), SETUP.subarray(16)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('s7comm: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 102, dissectors: only }, [{ payload: CR }, { dir: 1, payload: CC }, { payload: SETUP }], 'S7Comm');
});
