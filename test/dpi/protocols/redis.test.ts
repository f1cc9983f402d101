import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as redis } from '../../../src/dpi/protocols/redis';

const only = [redis];
const CMD = '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n';

test('redis: a RESP command array on port 16379 is RESP', () => {
  const r = dissect({ serverPort: 16379, dissectors: only }, [{ payload: CMD }, { dir: 1, payload: '+OK\r\n' }]);
  assert.equal(r.name, 'Redis');
  assert.equal(r.confidence, 'dpi');
});

test('redis: near misses: an inline command, a non-word command, and memcached text are not RESP', () => {
  for (const m of ['GET key\r\n', '*1\r\n$3\r\n\x00\x01\x02\r\n', 'stats\r\n', '*2 bogus\r\n']) {
    assert.notEqual(dissect({ serverPort: 6379, dissectors: only }, [{ payload: m }]).confidence, 'dpi', JSON.stringify(m));
  }
});

test('redis: every truncation of a command is handled; only a complete command name is RESP', () => {
  const full = CMD.indexOf('SET') + 5;
  for (const b of prefixes(Buffer.from(CMD))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 6379, dissectors: only }, [{ payload: b }]);
    if (b.length >= full) assert.equal(r.name, 'Redis');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
