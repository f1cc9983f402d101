import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as natpmp } from '../../../src/dpi/protocols/nat-pmp';

const only = [natpmp];

// natpmp.pcap frames 3 and 4: a TCP mapping request and its response.
const MAP = hex('00020000c8d5c8d500000e10');
const MAP_RESPONSE = hex('00820000002b3ae5c8d5c8d500000e10');

test('nat-pmp: a mapping request and its response on 5351 are NAT-PMP', () => {
  const r = dissect({ l4: 'udp', clientPort: 36852, serverPort: 5351, dissectors: only }, [{ payload: MAP }, { dir: 1, payload: MAP_RESPONSE }]);
  assert.equal(r.name, 'NAT-PMP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  assert.equal(dissect({ l4: 'udp', clientPort: 36845, serverPort: 5351, dissectors: only }, [{ payload: hex('0000') }]).name, 'NAT-PMP');
});

test('nat-pmp: near misses: PCP (version 2), reserved bits set, the request off port 5351', () => {
  const pcp = Buffer.concat([hex('02010000'), Buffer.alloc(56)]);
  const reserved = Buffer.from(MAP);
  reserved[3] = 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5351, dissectors: only }, [{ payload: pcp }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5351, dissectors: only }, [{ payload: reserved }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5350, dissectors: only }, [{ payload: MAP }]).confidence, 'dpi');
});

test('nat-pmp: every truncation of the response is handled', () => {
  for (const b of prefixes(MAP_RESPONSE)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', clientPort: 5351, serverPort: 36852, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === MAP_RESPONSE.length, `length ${b.length}`);
  }
});
