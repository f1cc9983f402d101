import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as coap } from '../../../src/dpi/protocols/coap';

const only = [coap];

// coap_mqtt.pcap frames 6 and 7: a confirmable GET /separate and its empty ACK.
const GET = hex('4201e91b0790b8736570617261746510d12311');
const ACK = hex('6000e91b');
// coap_mqtt.pcap frame 1: GET /.well-known/core (non-confirmable).
const DISCOVER = hex('430105ca7216332b2e77656c6c2d6b6e6f776e04636f7265');

test('coap: a request on 5683 is COAP', () => {
  const r = dissect({ l4: 'udp', clientPort: 33499, serverPort: 5683, dissectors: only }, [{ payload: GET }, { dir: 1, payload: ACK }]);
  assert.equal(r.name, 'COAP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('coap: off its ports a request needs the ACK with its message ID', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 15683, dissectors: only }, [{ payload: GET }, { dir: 1, payload: ACK }]).name, 'COAP');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 15683, dissectors: only }, [{ payload: DISCOVER }]).confidence, 'dpi');
  const otherAck = hex('60001234');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 15683, dissectors: only }, [{ payload: GET }, { dir: 1, payload: otherAck }]).confidence, 'dpi');
});

test('coap: near misses: version 2, a token longer than 8, a reserved option nibble', () => {
  const v2 = Buffer.from(GET);
  v2[0] = 0x82;
  const tkl = Buffer.from(GET);
  tkl[0] = 0x49;
  const opt = Buffer.from(GET);
  opt[6] = 0xf0;
  for (const p of [v2, tkl, opt]) assert.notEqual(dissect({ l4: 'udp', serverPort: 5683, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
});

test('coap: every truncation of the discovery request is handled', () => {
  for (const b of prefixes(DISCOVER)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 5683, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'COAP');
  }
});
