import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as irc } from '../../../src/dpi/protocols/irc';

const only = [irc];
const REG = 'NICK alice\r\nUSER alice 0 * :Alice Liddell\r\n';

test('irc: NICK and USER registration on port 6697 is IRC with the user name', () => {
  const r = dissect({ serverPort: 7000, dissectors: only }, [
    { dir: 1, payload: ':irc.example.net NOTICE * :*** Looking up your hostname...\r\n' },
    { payload: REG },
  ]);
  assert.equal(r.name, 'IRC');
  assert.equal(r.meta.username, 'alice');
  assert.deepEqual(r.undeclared, []);
});

test('irc: CAP LS answered by a prefixed server message is IRC', () => {
  const r = dissect({ serverPort: 6667, dissectors: only }, [
    { payload: 'CAP LS 302\r\nNICK bob\r\n' },
    { dir: 1, payload: ':irc.example.net CAP * LS :multi-prefix sasl\r\n' },
  ]);
  assert.equal(r.name, 'IRC');
});

test('irc: near misses: FTP USER/PASS and HTTP are not IRC', () => {
  let r = dissect({ serverPort: 6667, dissectors: only }, [{ payload: 'USER anonymous\r\n' }, { dir: 1, payload: '331 Password required\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 6667, dissectors: only }, [{ payload: 'GET / HTTP/1.1\r\n\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('irc: every truncation of the registration is handled', () => {
  for (const b of prefixes(Buffer.from(REG))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 6667, dissectors: only }, [{ payload: b }]);
    if (b.length === REG.length) assert.equal(r.name, 'IRC');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
