import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/egd';

const only = [dissector];
const PDU = hex(`
  # egd.pcapng frame 1 (59 bytes)
  0d 01 d4 f0 c0 a8 08 4d 7b 00 00 00 be 8a 7e 38 00 81 1b 2c 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`);
const PRODUCER = '192.168.8.77';

test('egd: a produced exchange from its producer is EthernetGlobalData', () => {
  const r = dissect({ l4: 'udp', serverPort: 18246, clientPort: 18246, client: PRODUCER, server: '192.168.8.169', dissectors: only }, [{ payload: PDU }]);
  assert.equal(r.name, 'EthernetGlobalData');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('egd: near miss: the same PDU sent from another address, or with a bad timestamp, is not EthernetGlobalData', () => {
  const other = dissect({ l4: 'udp', serverPort: 18246, client: '192.168.8.78', dissectors: only }, [{ payload: PDU }]);
  assert.notEqual(other.confidence, 'dpi');
  const ns = Buffer.from(PDU);
  ns[19] = 0xff;
  const bad = dissect({ l4: 'udp', serverPort: 18246, client: PRODUCER, dissectors: only }, [{ payload: ns }]);
  assert.notEqual(bad.confidence, 'dpi');
});

test('egd: every truncation is handled; a cut header is not recognised', () => {
  for (const b of prefixes(PDU)) {
    const r = dissect({ l4: 'udp', serverPort: 18246, client: PRODUCER, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length > 32);
  }
});
