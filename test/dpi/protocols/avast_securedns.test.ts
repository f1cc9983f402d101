import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/avast_securedns';

const only = [dissector];
const QUERY = hex(`
  # avast_securedns.pcapng frame 76 (39 bytes)
  54 ab 01 00 00 01 00 00 00 00 00 00 01 32 09 73 45 63 55 52 45 64 4e 53 05 41 56 41 53 74 03 63
  6f 4d 00 00 10 00 01
`);
const ANSWER = hex(`
  # avast_securedns.pcapng frame 77 (176 bytes, first 64 of 176 bytes)
  54 ab 81 80 00 01 00 01 00 00 00 00 01 32 09 73 45 63 55 52 45 64 4e 53 05 41 56 41 53 74 03 63
  6f 4d 00 00 10 00 01 c0 0c 00 10 00 01 00 00 00 00 00 7d 7c 44 4e 53 43 00 01 00 00 75 b1 86 ef
`);

/** A DNS query (id 0x1234, RD) for name with qtype. */
function dnsQuery(name: string, qtype: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([hex('1234 0100 0001 0000 0000 0000'), ...labels, Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1])]);
}

test('avast_securedns: the certificate query with 0x20 letter case on UDP 443 is AVASTSecureDNS', () => {
  const r = dissect({ l4: 'udp', serverPort: 443, clientPort: 49152, dissectors: only }, [{ payload: QUERY }, { dir: 1, payload: ANSWER }]);
  assert.equal(r.name, 'AVASTSecureDNS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('avast_securedns: the query on port 53 in lower case is recognised too', () => {
  const r = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: dnsQuery('2.securedns.avast.com', 16) }]);
  assert.equal(r.name, 'AVASTSecureDNS');
});

test('avast_securedns: near miss: another DNSCrypt provider, or an A query for the name, is not AVASTSecureDNS', () => {
  for (const q of [dnsQuery('2.dnscrypt-cert.opendns.com', 16), dnsQuery('2.securedns.avast.com', 1), dnsQuery('2.securedns.avast.org', 16)]) {
    const r = dissect({ l4: 'udp', serverPort: 443, dissectors: only }, [{ payload: q }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('avast_securedns: every truncation of the query is handled; only the whole query is recognised', () => {
  for (const b of prefixes(QUERY)) {
    const r = dissect({ l4: 'udp', serverPort: 443, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === QUERY.length);
  }
});
