/**
 * Tests for the OpenFlow dissector: the ofp_header of HELLO/ECHO messages. Fixtures are built from the
 * specification (the corpus has no such flow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as openflow } from '../../../src/dpi/protocols/openflow';

const only = [openflow];

// OpenFlow 1.3 HELLO with a VERSIONBITMAP element (1.3 only).
const HELLO = hex(`04000010000000010001000800000010`);

// OpenFlow 1.0 ECHO_REQUEST.
const ECHO = hex(`01020008000000ff`);

test('openflow: HELLO messages are OpenFlow', () => {
  const r = dissect({ serverPort: 6653, dissectors: only }, [
    { payload: HELLO },
    { dir: 1, payload: HELLO },
  ]);
  assert.equal(r.name, 'OpenFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('openflow: an empty HELLO is OpenFlow', () => {
  const r = dissect({ serverPort: 6633, dissectors: only }, [
    { payload: hex('0100000800000001') },
  ]);
  assert.equal(r.name, 'OpenFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('openflow: an ECHO request is OpenFlow', () => {
  const r = dissect({ serverPort: 6653, dissectors: only }, [
    { payload: ECHO },
  ]);
  assert.equal(r.name, 'OpenFlow');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('openflow: near miss: a TPKT/COTP connection request is not OpenFlow', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: hex('0300001611e00000077800c1020001c2020001c0010d') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('openflow: near miss: a HELLO whose length overruns the segment is not OpenFlow', () => {
  const r = dissect({ serverPort: 6653, dissectors: only }, [
    { payload: Buffer.concat([hex('04000018'), HELLO.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('openflow: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6653, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: HELLO }], 'OpenFlow');
  truncations({ serverPort: 6653, dissectors: only }, [{ payload: ECHO }], 'OpenFlow');
});
