import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as pop3 } from '../../../src/dpi/protocols/pop3';

const only = [pop3];
// As in pop3.pcap (GMX).
const GREETING = '+OK POP server ready H migmxus005\r\n';
const USER = 'user cicciopernacchio@mail.com\r\n';

test('pop3: greeting and USER on port 1110 are POP3 with the user name', () => {
  const r = dissect({ serverPort: 1110, dissectors: only }, [
    { dir: 1, payload: GREETING },
    { payload: USER },
    { dir: 1, payload: '+OK password required for user\r\n' },
  ]);
  assert.equal(r.name, 'POP3');
  assert.equal(r.meta.username, 'cicciopernacchio@mail.com');
  assert.equal(r.meta.server_banner, 'POP server ready H migmxus005');
  assert.ok(r.risks.includes('Clear-Text Credentials'));
  assert.deepEqual(r.undeclared, []);
});

test('pop3: STLS then a ClientHello is POPS', () => {
  const hello = Buffer.from('160301002f0100002b0301' + '00'.repeat(32) + '000002002f0100', 'hex');
  hello.writeUInt16BE(hello.length - 5, 3);
  hello.writeUIntBE(hello.length - 9, 6, 3);
  const r = dissect({ serverPort: 110, dissectors: only }, [
    { dir: 1, payload: '+OK lavad\r\n' },
    { payload: 'STLS\r\n' },
    { dir: 1, payload: '+OK Begin TLS negotiation\r\n' },
    { payload: hello },
  ]);
  assert.equal(r.name, 'POPS');
});

test('pop3: near misses: an SMTP greeting with USER, and +OK without a POP3 command, are not POP3', () => {
  let r = dissect({ serverPort: 110, dissectors: only }, [{ dir: 1, payload: '220 ftp ready\r\n' }, { payload: 'USER bob\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 110, dissectors: only }, [{ dir: 1, payload: '+OK hello\r\n' }, { payload: 'HELLO there\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('pop3: every truncation of the greeting and of USER is handled', () => {
  for (const b of prefixes(Buffer.from(USER))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 110, dissectors: only }, [{ dir: 1, payload: GREETING }, { payload: b }]);
    if (b.length === USER.length) assert.equal(r.name, 'POP3');
    else assert.notEqual(r.confidence, 'dpi');
  }
  for (const b of prefixes(Buffer.from(GREETING))) {
    if (b.length === 0) continue;
    assert.notEqual(dissect({ serverPort: 110, dissectors: only }, [{ dir: 1, payload: b }]).confidence, 'dpi');
  }
});
