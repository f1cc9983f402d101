import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as ldap } from '../../../src/dpi/protocols/ldap';

const only = [ldap];

// log4j-webapp-exploit.pcap frames 11, 13, 15: anonymous bind, bind response, search request (port 1389).
const BIND = hex('300c020101600702010304008000');
const BIND_RESPONSE = hex('300c02010161070a010004000400');
const SEARCH = hex('304302010263210401610a01000a0103020100020100010100870b6f626a656374436c6173733000a01b30190417322e31362e3834302e312e3131333733302e332e342e32');

test('ldap: a bind on port 1389 is LDAP', () => {
  const r = dissect({ clientPort: 57650, serverPort: 1389, dissectors: only }, [{ payload: BIND }, { dir: 1, payload: BIND_RESPONSE }, { payload: SEARCH }]);
  assert.equal(r.name, 'LDAP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ldap: a simple bind gives the DN; a CLDAP search over UDP is LDAP', () => {
  const dn = Buffer.from('cn=admin,dc=example,dc=org');
  const pw = Buffer.from('secret');
  const body = Buffer.concat([hex('020103'), Buffer.from([0x04, dn.length]), dn, Buffer.from([0x80, pw.length]), pw]);
  const op = Buffer.concat([Buffer.from([0x60, body.length]), body]);
  const msg = Buffer.concat([Buffer.from([0x30, op.length + 3]), hex('020102'), op]);
  const r = dissect({ serverPort: 389, dissectors: only }, [{ payload: msg }]);
  assert.equal(r.meta.username, 'cn=admin,dc=example,dc=org');
  assert.equal(dissect({ l4: 'udp', serverPort: 389, dissectors: only }, [{ payload: SEARCH }]).name, 'LDAP');
});

test('ldap: near misses: SNMP, a bind with version 7, an unknown operation', () => {
  const snmp = hex('301b02010104067075626c6963a20e020426127dbf0201010201003000');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 389, dissectors: only }, [{ payload: snmp }]).confidence, 'dpi');
  const v7 = Buffer.from(BIND);
  v7[9] = 7;
  assert.notEqual(dissect({ serverPort: 389, dissectors: only }, [{ payload: v7 }]).confidence, 'dpi');
  const op = Buffer.from(BIND);
  op[5] = 0x7f;
  assert.notEqual(dissect({ serverPort: 389, dissectors: only }, [{ payload: op }]).confidence, 'dpi');
});

test('ldap: every truncation of the search request is handled', () => {
  for (const b of prefixes(SEARCH)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 389, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'LDAP');
    const u = dissect({ l4: 'udp', serverPort: 389, dissectors: only }, [{ payload: b }]);
    assert.equal(u.confidence === 'dpi', b.length === SEARCH.length);
  }
});
