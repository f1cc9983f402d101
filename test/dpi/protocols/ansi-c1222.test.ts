/**
 * Tests for the ANSI_C1222 dissector: the ACSE PDU with tiling elements and user information.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as c1222 } from '../../../src/dpi/protocols/ansi-c1222';

const only = [c1222];

// c1222.pcapng, UDP 10.9.3.124:55092 -> 10.208.0.9:1153: ACSE request.
const UDP_REQ = hex(`
  6030a20f060d607c86f754011600010140ce11a60e060c607c86f75401160001
  014021a80402020f89be0728058103800120
`);

// c1222.pcapng, TCP 192.168.1.101:1577 -> 192.168.100.124:1153: ACSE request over TCP.
const TCP_REQ = hex(`
  6047a211060f2b060104018285638e7f85f1c24e00a60a06082b060104018285
  63a806020413e81421ac0fa20da00ba10980010081044c97f489be0d280b8109
  8865f1e271a71f7f27
`);

test('ansi-c1222: an ACSE request over UDP is ANSI_C1222', () => {
  const r = dissect({ l4: 'udp', serverPort: 1153, dissectors: only }, [
    { payload: UDP_REQ },
  ]);
  assert.equal(r.name, 'ANSI_C1222');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ansi-c1222: an ACSE request over TCP is ANSI_C1222', () => {
  const r = dissect({ serverPort: 1153, dissectors: only }, [
    { payload: TCP_REQ },
  ]);
  assert.equal(r.name, 'ANSI_C1222');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ansi-c1222: near miss: a BER length one byte off is not ANSI_C1222', () => {
  const r = dissect({ l4: 'udp', serverPort: 1153, dissectors: only }, [
    { payload: Buffer.concat([hex('6031'), UDP_REQ.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ansi-c1222: near miss: an LDAP-like BER message is not ANSI_C1222', () => {
  const r = dissect({ serverPort: 1153, dissectors: only }, [
    { payload: hex('300c020101600702010304008000') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ansi-c1222: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 1153, dissectors: only }, [{ payload: UDP_REQ }], 'ANSI_C1222');
  truncations({ serverPort: 1153, dissectors: only }, [{ payload: TCP_REQ }], 'ANSI_C1222');
});
