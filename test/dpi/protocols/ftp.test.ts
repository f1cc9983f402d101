import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissectors } from '../../../src/dpi/protocols/ftp';

const control = dissectors.filter((d) => d.stream === true);
const data = dissectors.filter((d) => d.weak === true);
// As in ftp.pcap (vsFTPd, anonymous login).
const GREETING = '220 (vsFTPd 3.0.3)\r\n';

test('ftp: greeting and USER on port 2121 are FTP_CONTROL with the user name', () => {
  const r = dissect({ serverPort: 2121, dissectors: control }, [
    { dir: 1, payload: GREETING },
    { payload: 'USER anonymous\r\n' },
    { dir: 1, payload: '331 Please specify the password.\r\n' },
    { payload: 'PASS x@example.org\r\n' },
  ]);
  assert.equal(r.name, 'FTP_CONTROL');
  assert.equal(r.meta.username, 'anonymous');
  assert.equal(r.meta.server_banner, '(vsFTPd 3.0.3)');
  assert.ok(r.risks.includes('Clear-Text Credentials'));
  assert.ok(r.risks.includes('Unsafe Protocol'));
  assert.deepEqual(r.undeclared, []);
});

test('ftp: without the greeting, an FTP-only command answered by a reply is FTP', () => {
  const r = dissect({ serverPort: 21, dissectors: control }, [{ payload: 'SYST\r\n' }, { dir: 1, payload: '215 UNIX Type: L8\r\n' }]);
  assert.equal(r.name, 'FTP_CONTROL');
});

test('ftp: AUTH TLS accepted and a ClientHello make FTPS', () => {
  const hello = Buffer.from('160301002f0100002b0303' + '00'.repeat(32) + '000002002f0100', 'hex');
  hello.writeUInt16BE(hello.length - 5, 3);
  hello.writeUIntBE(hello.length - 9, 6, 3);
  const r = dissect({ serverPort: 21, dissectors: control }, [
    { dir: 1, payload: '220 Authorized users only\r\n' },
    { payload: 'AUTH TLS\r\n' },
    { dir: 1, payload: '234 Proceed with negotiation.\r\n' },
    { payload: hello },
  ]);
  assert.equal(r.name, 'FTPS');
});

test('ftp: near misses: an SMTP session and a POP3 USER are not FTP', () => {
  let r = dissect({ serverPort: 21, dissectors: control }, [{ dir: 1, payload: '220 mx ESMTP\r\n' }, { payload: 'EHLO me\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 21, dissectors: control }, [{ dir: 1, payload: '+OK POP3 ready\r\n' }, { payload: 'USER bob\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ftp: a directory listing opening a flow is FTP_DATA; other text is not', () => {
  const listing = '-rw-r--r--    1 0        0        1073741824000 Feb 19  2016 1000GB.zip\r\n';
  assert.equal(dissect({ serverPort: 25685, dissectors: data }, [{ dir: 1, payload: listing }]).name, 'FTP_DATA');
  assert.notEqual(dissect({ serverPort: 25685, dissectors: data }, [{ payload: 'hello world, this is text\r\n' }]).confidence, 'dpi');
});

test('ftp: every truncation of the greeting and of USER is handled', () => {
  const user = 'USER anonymous\r\n';
  for (const b of prefixes(Buffer.from(GREETING))) {
    if (b.length === 0) continue;
    assert.notEqual(dissect({ serverPort: 21, dissectors: control }, [{ dir: 1, payload: b }]).confidence, 'dpi');
  }
  for (const b of prefixes(Buffer.from(user))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 2121, dissectors: control }, [{ dir: 1, payload: GREETING }, { payload: b }]);
    if (b.length === user.length) assert.equal(r.name, 'FTP_CONTROL');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
