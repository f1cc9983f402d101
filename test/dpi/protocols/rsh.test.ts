import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as rsh } from '../../../src/dpi/protocols/rsh';

const only = [rsh];

test('rsh: stderr port then users and command (rsh.pcap) are RSH with user and command', () => {
  const r = dissect({ serverPort: 1514, clientPort: 1023, dissectors: only }, [
    { payload: '1022\x00' },
    { payload: 'lns\x00root\x00mkdir testdir\x00' },
    { dir: 1, payload: '\x01Password incorrect.\n' },
  ]);
  assert.equal(r.name, 'RSH');
  assert.equal(r.meta.username, 'root');
  assert.equal(r.meta.info, 'mkdir testdir');
  assert.ok(r.risks.includes('Clear-Text Credentials'));
  assert.deepEqual(r.undeclared, []);
});

test('rsh: near misses: digits without NUL, and a NUL-led binary record, are not RSH', () => {
  for (const m of ['1234567\x00a\x00b\x00c\x00', '\x00\x01\x02\x03\x04', '123 abc\r\n']) {
    assert.notEqual(dissect({ serverPort: 514, dissectors: only }, [{ payload: m }]).confidence, 'dpi', JSON.stringify(m));
  }
});

test('rsh: every truncation of the request is handled', () => {
  const req = '1020\x00someuser\x00someuser\x00some random command\x00';
  for (const b of prefixes(Buffer.from(req))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 514, dissectors: only }, [{ payload: b }]);
    if (b.length === req.length) assert.equal(r.name, 'RSH');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
