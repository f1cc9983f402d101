import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as snmp } from '../../../src/dpi/protocols/snmp';

const only = [snmp];

// A v2c GetRequest for sysDescr.0, community "public".
const GET = hex('302902010104067075626c6963a01c0204426127dc020100020100300e300c06082b060102010101000500');
// snmp.pcap frame 67: v2c Response with error-status 1 (tooBig).
const TOO_BIG = hex('301b02010104067075626c6963a20e020426127dbf0201010201003000');
/** A BER element with a short-form length. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}
const int = (v: number): Buffer => tlv(0x02, Buffer.from([v]));
// An SNMPv3 engine-discovery GetRequest: header data, empty USM parameters, plaintext scoped PDU.
const V3 = tlv(0x30, int(3),
  tlv(0x30, int(1), tlv(0x02, Buffer.from([0x00, 0xff, 0xe3])), tlv(0x04, Buffer.from([4])), int(3)),
  tlv(0x04, tlv(0x30, tlv(0x04), int(0), int(0), tlv(0x04), tlv(0x04), tlv(0x04))),
  tlv(0x30, tlv(0x04), tlv(0x04), tlv(0xa0, int(1), int(0), int(0), tlv(0x30))));

test('snmp: a v2c get and an error response are SNMP with the Error Code risk', () => {
  const r = dissect({ l4: 'udp', serverPort: 161, dissectors: only }, [{ payload: GET }, { dir: 1, payload: TOO_BIG }]);
  assert.equal(r.name, 'SNMP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Error Code'));
  assert.deepEqual(r.undeclared, []);
});

test('snmp: a v3 message is SNMP, on any port', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 16100, dissectors: only }, [{ payload: V3 }]).name, 'SNMP');
});

test('snmp: near misses: an LDAP message, a length that does not match, version 2', () => {
  const ldap = hex('300c020101600702010304008000');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 161, dissectors: only }, [{ payload: ldap }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 161, dissectors: only }, [{ payload: Buffer.concat([GET, Buffer.alloc(1)]) }]).confidence, 'dpi');
  const v2 = Buffer.from(GET);
  v2[4] = 2;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 161, dissectors: only }, [{ payload: v2 }]).confidence, 'dpi');
});

test('snmp: every truncation of the get request is handled', () => {
  for (const b of prefixes(GET)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 161, dissectors: only }, [{ payload: b }]);
    if (b.length < GET.length) assert.notEqual(r.confidence, 'dpi');
  }
});
