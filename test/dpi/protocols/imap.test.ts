import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as imap } from '../../../src/dpi/protocols/imap';

const only = [imap];
// As in imap.pcap.
const GREETING = '* OK IMAP4Rev1 Server Version 4.9.04.012\r\n';
const LOGIN = 'C00001 LOGIN samir "secret pw"\r\n';

test('imap: greeting, CAPABILITY and LOGIN on port 1143 are IMAP with the user name', () => {
  const r = dissect({ serverPort: 1143, dissectors: only }, [
    { dir: 1, payload: GREETING },
    { payload: 'C00000 CAPABILITY\r\n' },
    { dir: 1, payload: '* CAPABILITY IMAP4REV1 AUTH=LOGIN\r\nC00000 OK CAPABILITY completed\r\n' },
    { payload: LOGIN },
  ]);
  assert.equal(r.name, 'IMAP');
  assert.equal(r.meta.username, 'samir');
  assert.ok(r.risks.includes('Clear-Text Credentials'));
  assert.deepEqual(r.undeclared, []);
});

test('imap: STARTTLS accepted and a ClientHello make IMAPS', () => {
  const hello = Buffer.from('160301002f0100002b0303' + '00'.repeat(32) + '000002002f0100', 'hex');
  hello.writeUInt16BE(hello.length - 5, 3);
  hello.writeUIntBE(hello.length - 9, 6, 3);
  const r = dissect({ serverPort: 143, dissectors: only }, [
    { dir: 1, payload: '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n' },
    { payload: '. STARTTLS\r\n' },
    { dir: 1, payload: '. OK Begin TLS negotiation now.\r\n' },
    { payload: hello },
  ]);
  assert.equal(r.name, 'IMAPS');
});

test('imap: near misses: HTTP and an untagged line without a command are not IMAP', () => {
  let r = dissect({ serverPort: 143, dissectors: only }, [{ payload: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 143, dissectors: only }, [{ dir: 1, payload: '* OK ready\r\n' }, { payload: 'a1 FROBNICATE\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('imap: every truncation of the greeting and of a command is handled', () => {
  for (const b of prefixes(Buffer.from(LOGIN))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 143, dissectors: only }, [{ dir: 1, payload: GREETING }, { payload: b }]);
    if (b.length === LOGIN.length) assert.equal(r.name, 'IMAP');
    else assert.notEqual(r.confidence, 'dpi');
  }
  for (const b of prefixes(Buffer.from(GREETING))) {
    if (b.length === 0) continue;
    assert.notEqual(dissect({ serverPort: 143, dissectors: only }, [{ dir: 1, payload: b }]).confidence, 'dpi');
  }
});
