import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as telnet } from '../../../src/dpi/protocols/telnet';

const only = [telnet];
// telnet.pcap frame 4: the client's opening option negotiation.
const NEGOTIATION = hex('fffd03 fffb18 fffb1f fffb20 fffb21 fffb22 fffb27 fffd05 fffb23');

test('telnet: option negotiation on port 2323 is Telnet; the name typed after login: is the user', () => {
  const r = dissect({ serverPort: 2323, dissectors: only }, [
    { payload: NEGOTIATION },
    { dir: 1, payload: hex('fffd25') },
    { dir: 1, payload: 'OpenBSD/i386 (oof) (ttyp2)\r\n\r\nlogin: ' },
    { payload: 'f' },
    { payload: 'ake' },
    { payload: '\r\x00' },
    { dir: 1, payload: 'Password:' },
  ]);
  assert.equal(r.name, 'Telnet');
  assert.equal(r.meta.username, 'fake');
  assert.ok(r.risks.includes('Unsafe Protocol'));
  assert.deepEqual(r.undeclared, []);
});

test('telnet: a text banner first and negotiation from the other side is Telnet', () => {
  const r = dissect({ serverPort: 23, dissectors: only }, [{ dir: 1, payload: 'Welcome\r\n' }, { payload: NEGOTIATION }]);
  assert.equal(r.name, 'Telnet');
});

test('telnet: near misses: one lone IAC command, and 0xFF-led binary, are not Telnet', () => {
  let r = dissect({ serverPort: 23, dissectors: only }, [{ payload: hex('fffd03') }, { payload: 'abc' }, { payload: 'def' }, { payload: 'ghi' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 23, dissectors: only }, [{ payload: hex('ff d8 ff e0 00 10 4a 46 49 46') }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('telnet: every truncation of the negotiation is handled', () => {
  for (const b of prefixes(NEGOTIATION)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 23, dissectors: only }, [{ payload: b }]);
    if (r.confidence === 'dpi') assert.equal(r.name, 'Telnet');
    if (b.length % 3 !== 0) assert.notEqual(r.confidence, 'dpi');
  }
});
