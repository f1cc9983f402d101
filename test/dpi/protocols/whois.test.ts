import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as whois } from '../../../src/dpi/protocols/whois';

const only = [whois];

test('whois: a query line to port 43 is Whois-DAS with the queried name (whois.pcapng)', () => {
  const r = dissect({ serverPort: 43, dissectors: only }, [
    { payload: 'example.com\r\n' },
    { dir: 1, payload: '% IANA WHOIS server\n% for more information on IANA, visit http://www.iana.org\n' },
  ]);
  assert.equal(r.name, 'Whois-DAS');
  assert.equal(r.meta.server_name, 'example.com');
  assert.deepEqual(r.undeclared, []);
});

test('whois: near misses: the same query on another port, and binary data on port 43, are not Whois-DAS', () => {
  assert.notEqual(dissect({ serverPort: 4443, dissectors: only }, [{ payload: 'example.com\r\n' }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 43, dissectors: only }, [{ payload: '\x16\x03\x01\x00\x05hello\r\n' }]).confidence, 'dpi');
});

test('whois: every truncation of the query is handled; only the complete line is Whois-DAS', () => {
  const q = 'domain example.org\r\n';
  for (const b of prefixes(Buffer.from(q))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 43, dissectors: only }, [{ payload: b }]);
    if (b.length === q.length) assert.equal(r.name, 'Whois-DAS');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
