import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as smtp } from '../../../src/dpi/protocols/smtp';

const only = [smtp];
// Greeting and EHLO as in smtp.pcap (Sendmail 8.8.7).
const GREETING = '220 pigeon.eyrie.af.mil ESMTP Sendmail 8.8.7/8.8.7; Sat, 7 Aug 1999 08:20:11 -0400\r\n';
const EHLO = 'EHLO delta.peach.mil\r\n';

test('smtp: greeting and EHLO on port 2525 are SMTP with the greeting host and banner', () => {
  const r = dissect({ serverPort: 2525, dissectors: only }, [
    { dir: 1, payload: GREETING },
    { payload: EHLO },
    { dir: 1, payload: '250-pigeon.eyrie.af.mil Hello\r\n250 HELP\r\n' },
  ]);
  assert.equal(r.name, 'SMTP');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'pigeon.eyrie.af.mil');
  assert.ok(String(r.meta.server_banner).startsWith('pigeon.eyrie.af.mil ESMTP'));
  assert.deepEqual(r.undeclared, []);
});

test('smtp: the server may be the first sender (no SYN seen); AUTH LOGIN gives the user name', () => {
  const r = dissect({ serverPort: 40000, clientPort: 25, dissectors: only }, [
    { payload: '220 mx.example.org ESMTP\r\n' },
    { dir: 1, payload: 'EHLO client\r\n' },
    { payload: '250 mx.example.org\r\n' },
    { dir: 1, payload: 'AUTH LOGIN\r\n' },
    { payload: '334 VXNlcm5hbWU6\r\n' },
    { dir: 1, payload: Buffer.from('bob@example.org').toString('base64') + '\r\n' },
  ]);
  assert.equal(r.name, 'SMTP');
  assert.equal(r.meta.username, 'bob@example.org');
  assert.ok(r.risks.includes('Clear-Text Credentials'));
});

test('smtp: STARTTLS followed by a TLS ClientHello is SMTPS', () => {
  const hello = Buffer.from('160301002f0100002b0303' + '00'.repeat(32) + '000002002f0100', 'hex');
  hello.writeUInt16BE(hello.length - 5, 3);
  hello.writeUIntBE(hello.length - 9, 6, 3);
  const r = dissect({ serverPort: 25, dissectors: only }, [
    { dir: 1, payload: '220 mx ESMTP\r\n' },
    { payload: 'EHLO c\r\n' },
    { dir: 1, payload: '250-mx\r\n250 STARTTLS\r\n' },
    { payload: 'STARTTLS\r\n' },
    { dir: 1, payload: '220 Go ahead\r\n' },
    { payload: hello },
  ]);
  assert.equal(r.name, 'SMTPS');
});

test('smtp: near miss: an FTP greeting followed by USER is not SMTP', () => {
  const r = dissect({ serverPort: 25, dissectors: only }, [
    { dir: 1, payload: '220 (vsFTPd 3.0.3)\r\n' },
    { payload: 'USER anonymous\r\n' },
  ]);
  assert.notEqual(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, undefined);
});

test('smtp: every truncation of the greeting and of EHLO is handled', () => {
  for (const b of prefixes(Buffer.from(GREETING))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 25, dissectors: only }, [{ dir: 1, payload: b }]);
    assert.notEqual(r.confidence, 'dpi');
  }
  for (const b of prefixes(Buffer.from(EHLO))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 2525, dissectors: only }, [{ dir: 1, payload: GREETING }, { payload: b }]);
    if (b.length === EHLO.length) assert.equal(r.name, 'SMTP');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
