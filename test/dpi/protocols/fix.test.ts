/**
 * Tests for the FIX dissector: "8=", "9=", "35=" header tags at the start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as fix } from '../../../src/dpi/protocols/fix';

const only = [fix];

// fix.pcap, TCP 208.245.107.3:4000 -> 192.168.0.20:45578: FIX.4.1 heartbeat "8=FIX.4.1|9=0014|35=1|...".
const LOGON = hex(`
  383d4649582e342e3101393d30303031340133353d31013131323d6661726d01
  31303d32313701
`);

// fix2.pcap, TCP 10.101.0.2:34962 -> 10.102.0.2:1024: FIXT.1.1 logon (35=A).
const FIXT = hex(`
  383d464958542e312e3101393d36320133353d410134393d396f58775678766d
  7a71734c4661450133343d310135323d32303133303730312d30363a32393a31
  310139383d30013130383d36300131303d31353101
`);

test('fix: a FIX.4.1 message is FIX', () => {
  const r = dissect({ serverPort: 4000, dissectors: only }, [
    { payload: LOGON },
  ]);
  assert.equal(r.name, 'FIX');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('fix: a FIXT.1.1 logon is FIX on any port', () => {
  const r = dissect({ serverPort: 1024, dissectors: only }, [
    { payload: FIXT },
  ]);
  assert.equal(r.name, 'FIX');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('fix: near miss: a header missing BodyLength is not FIX', () => {
  const r = dissect({ serverPort: 4000, dissectors: only }, [
    { payload: Buffer.from('8=FIX.4.2\x0135=A\x0149=X\x01', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('fix: near miss: key=value text that is not FIX is not FIX', () => {
  const r = dissect({ serverPort: 4000, dissectors: only }, [
    { payload: Buffer.from('8=8\n9=9\n35=A\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('fix: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4000, dissectors: only }, [{ payload: LOGON }], 'FIX');
});
