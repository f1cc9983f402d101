/**
 * Tests for the EtherNet/IP dissector: encapsulation header checks. Fixtures
 * follow the CIP Vol. 2 encapsulation layout (the corpus has no explicit
 * EtherNet/IP session).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as enip } from '../../../src/dpi/protocols/ethernet-ip';

const only = [enip];

// RegisterSession request: protocol version 1, options 0.
const REGISTER = hex(`65000400000000000000000000000000000000000000000001000000`);

// RegisterSession reply with session handle 0x12345678.
const REGISTER_REPLY = hex(`65000400785634120000000000000000000000000000000001000000`);

// ListIdentity request (UDP broadcast).
const LIST_IDENTITY = hex(`630000000000000000000000000000000000000000000000`);

test('ethernet-ip: RegisterSession and its reply are EthernetIP', () => {
  const r = dissect({ serverPort: 44818, dissectors: only }, [
    { payload: REGISTER },
    { dir: 1, payload: REGISTER_REPLY },
  ]);
  assert.equal(r.name, 'EthernetIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ethernet-ip: a ListIdentity broadcast is EthernetIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 44818, dissectors: only }, [
    { payload: LIST_IDENTITY },
  ]);
  assert.equal(r.name, 'EthernetIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ethernet-ip: near miss: an unknown encapsulation command is not EthernetIP', () => {
  const r = dissect({ serverPort: 44818, dissectors: only }, [
    { payload: Buffer.concat([hex('6100'), REGISTER.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ethernet-ip: near miss: non-zero options are not EthernetIP', () => {
  const r = dissect({ serverPort: 44818, dissectors: only }, [
    { payload: Buffer.concat([REGISTER.subarray(0, 20), hex('01000000'), REGISTER.subarray(24)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ethernet-ip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 44818, dissectors: only }, [{ payload: REGISTER }, { dir: 1, payload: REGISTER_REPLY }], 'EthernetIP');
});
