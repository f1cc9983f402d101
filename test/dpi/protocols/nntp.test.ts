import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as nntp } from '../../../src/dpi/protocols/nntp';

const only = [nntp];
// As in ossfuzz_seed_fake_traces_2.pcapng (Leafnode).
const GREETING = '200 Leafnode NNTP Daemon, version 1.11.7.rc1 running at datacenter.example.net\r\n';

test('nntp: a 200 greeting and AUTHINFO USER on port 1119 are Usenet with the user name', () => {
  const r = dissect({ serverPort: 1119, dissectors: only }, [
    { dir: 1, payload: GREETING },
    { payload: 'AUTHINFO USER news1\r\n' },
    { dir: 1, payload: '381 More authentication information required\r\n' },
  ]);
  assert.equal(r.name, 'Usenet');
  assert.equal(r.meta.username, 'news1');
  assert.ok(String(r.meta.server_banner).startsWith('Leafnode'));
  assert.deepEqual(r.undeclared, []);
});

test('nntp: a client command without its line end still counts after the greeting', () => {
  const r = dissect({ serverPort: 119, dissectors: only }, [{ dir: 1, payload: GREETING }, { payload: 'AUTHINFO USER XXXXXXX' }]);
  assert.equal(r.name, 'Usenet');
});

test('nntp: near misses: FTP and SMTP greetings with their commands are not Usenet', () => {
  let r = dissect({ serverPort: 119, dissectors: only }, [{ dir: 1, payload: '220 ftp ready\r\n' }, { payload: 'USER x\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 119, dissectors: only }, [{ dir: 1, payload: '220 mx ESMTP\r\n' }, { payload: 'HELP\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nntp: every truncation of the greeting is handled', () => {
  for (const b of prefixes(Buffer.from(GREETING))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 119, dissectors: only }, [{ dir: 1, payload: b }, { payload: 'HELP\r\n' }]);
    if (b.length === GREETING.length) assert.equal(r.name, 'Usenet');
    else if (r.confidence === 'dpi') assert.equal(r.name, 'Usenet');
  }
});
