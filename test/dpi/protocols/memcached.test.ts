import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as memcached } from '../../../src/dpi/protocols/memcached';

const only = [memcached];

test('memcached: "stats" answered by STAT lines on port 21211 is Memcached (memcached.cap)', () => {
  const r = dissect({ serverPort: 21211, dissectors: only }, [
    { payload: 'stats\r\n' },
    { dir: 1, payload: 'STAT pid 8837\r\nSTAT uptime 193\r\n' },
  ]);
  assert.equal(r.name, 'Memcached');
});

test('memcached: a UDP frame header with a command, and a binary GET request, are Memcached', () => {
  let r = dissect({ l4: 'udp', serverPort: 11211, dissectors: only }, [{ payload: Buffer.concat([hex('0001 0000 0001 0000'), Buffer.from('get k\r\n')]) }]);
  assert.equal(r.name, 'Memcached');
  r = dissect({ serverPort: 12345, dissectors: only }, [{ payload: Buffer.concat([hex('80 00 0001 00 00 0000 00000001 00000000 0000000000000000'), Buffer.from('k')]) }]);
  assert.equal(r.name, 'Memcached');
});

test('memcached: near misses: an inline Redis command with a RESP reply, and SMTP, are not Memcached', () => {
  let r = dissect({ serverPort: 11211, dissectors: only }, [{ payload: 'get key\r\n' }, { dir: 1, payload: '$3\r\nbar\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
  r = dissect({ serverPort: 11211, dissectors: only }, [{ dir: 1, payload: '220 mx ESMTP\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('memcached: every truncation of a command and reply is handled', () => {
  const cmd = 'get user:42\r\n';
  const reply = 'VALUE user:42 0 2\r\nhi\r\nEND\r\n';
  for (const b of prefixes(Buffer.from(reply))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 11211, dissectors: only }, [{ payload: cmd }, { dir: 1, payload: b }]);
    if (b.length >= 'VALUE user:42 0 2\r\n'.length) assert.equal(r.name, 'Memcached');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
