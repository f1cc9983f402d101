import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as stomp } from '../../../src/dpi/protocols/stomp';

const only = [stomp];
// stomp.pcapng: the client's STOMP frame and the broker's CONNECTED.
const FRAME = 'STOMP\naccept-version:1.1\n\n\x00';

test('stomp: a STOMP frame answered by CONNECTED on port 1613 is STOMP', () => {
  const r = dissect({ serverPort: 1613, dissectors: only }, [
    { payload: FRAME },
    { dir: 1, payload: 'CONNECTED\nversion:1.1\nheart-beat:100,100\n\n\x00' },
  ]);
  assert.equal(r.name, 'STOMP');
  assert.deepEqual(r.undeclared, []);
});

test('stomp: the CONNECT login is the user name', () => {
  const r = dissect({ serverPort: 61613, dissectors: only }, [{ payload: 'CONNECT\r\naccept-version:1.2\r\nhost:mq\r\nlogin:guest\r\npasscode:guest\r\n\r\n\x00' }]);
  assert.equal(r.name, 'STOMP');
  assert.equal(r.meta.username, 'guest');
});

test('stomp: near misses: HTTP CONNECT and a bare SEND are not STOMP', () => {
  for (const m of ['CONNECT host:443 HTTP/1.1\r\n\r\n', 'SEND\n\nbody\x00']) {
    assert.notEqual(dissect({ serverPort: 61613, dissectors: only }, [{ payload: m }]).confidence, 'dpi', m);
  }
});

test('stomp: every truncation of the frame is handled', () => {
  for (const b of prefixes(Buffer.from(FRAME))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 61613, dissectors: only }, [{ payload: b }]);
    if (b.length >= FRAME.length - 1) assert.equal(r.name, 'STOMP');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
