import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/rx';

const only = [dissector];
const CALL = hex(`
  # rx.pcap frame 13 (32 bytes)
  d7 0f b3 30 5c 22 4f b0 00 00 00 01 00 00 00 01 00 00 00 01 01 05 00 00 00 00 00 01 00 01 00 04
`);
const ACK = hex(`
  # rx.pcap frame 14 (66 bytes)
  d7 0f b3 30 5c 22 4f b0 00 00 00 01 00 00 00 00 00 00 00 01 02 22 00 00 00 00 00 01 00 00 00 00
  00 00 00 01 00 00 00 01 00 00 00 00 06 01 01 00 00 00 00 00 05 a4 00 00 05 a4 00 00 00 10 00 00
  00 01
`);

test('rx: a call and the acknowledgement on the same connection are RX', () => {
  const r = dissect({ l4: 'udp', serverPort: 7000, clientPort: 7001, dissectors: only }, [{ payload: CALL }, { dir: 1, payload: ACK }]);
  assert.equal(r.name, 'RX');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('rx: near miss: a reply naming another connection, or an unknown packet type, is not RX', () => {
  const other = Buffer.from(ACK);
  other[0] ^= 0xff;
  const r = dissect({ l4: 'udp', serverPort: 7000, dissectors: only }, [{ payload: CALL }, { dir: 1, payload: other }]);
  assert.notEqual(r.confidence, 'dpi');
  const badType = Buffer.from(CALL);
  badType[20] = 0x20;
  const t = dissect({ l4: 'udp', serverPort: 7000, dissectors: only }, [{ payload: badType }, { dir: 1, payload: ACK }]);
  assert.notEqual(t.confidence, 'dpi');
});

test('rx: every truncation of the reply is handled; a cut header is not recognised', () => {
  for (const b of prefixes(ACK)) {
    const r = dissect({ l4: 'udp', serverPort: 7000, dissectors: only }, [{ payload: CALL }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= 28);
  }
});
