import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as websocket } from '../../../src/dpi/protocols/websocket';

const only = [websocket];
// websocket.pcap frame 1: a server text frame "Welcome, 192.168.43.1 !".
const FRAME = hex('8117 57656c636f6d652c203139322e3136382e34332e312021');

test('websocket: a flow opening with one complete frame is WebSocket', () => {
  assert.equal(dissect({ serverPort: 50999, dissectors: only }, [{ payload: FRAME }]).name, 'WebSocket');
  // A masked client frame (websocket.pcap frame 2).
  assert.equal(dissect({ serverPort: 12345, dissectors: only }, [{ payload: hex('818ce17e8eb9951bfdcdc113ebca921fe9dc') }]).name, 'WebSocket');
});

test('websocket: near misses: a length that does not match, reserved bits, and HTTP are not WebSocket', () => {
  for (const m of [hex('8118 57656c636f6d652c203139322e3136382e34332e312021'), hex('c103 616263'), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
    assert.notEqual(dissect({ serverPort: 80, dissectors: only }, [{ payload: m }]).confidence, 'dpi');
  }
});

test('websocket: every truncation of a frame is handled; only the whole frame is WebSocket', () => {
  for (const b of prefixes(FRAME)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 8080, dissectors: only }, [{ payload: b }]);
    if (b.length === FRAME.length) assert.equal(r.name, 'WebSocket');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
