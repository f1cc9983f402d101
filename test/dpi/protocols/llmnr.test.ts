import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as llmnr } from '../../../src/dpi/protocols/llmnr';

const only = [llmnr];

// 1kxun.pcap frame 17: LLMNR query for "wpad" to 224.0.0.252.
const QUERY = hex('605e0000000100000000000004777061640000010001');
const GROUP = { l4: 'udp' as const, clientPort: 51458, serverPort: 5355, server: '224.0.0.252', dissectors: only };

test('llmnr: a multicast query to 5355 is LLMNR with the queried name', () => {
  const r = dissect(GROUP, [{ payload: QUERY }]);
  assert.equal(r.name, 'LLMNR');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'wpad');
  assert.equal(r.meta.dns_query_type, 1);
  assert.deepEqual(r.undeclared, []);
});

test('llmnr: a name in another script is printed with "?" and flagged', () => {
  const q = Buffer.concat([hex('0001000000010000000000000c'), Buffer.from('\u4f60\u597d\u5417\u4f60', 'utf8'), hex('0000010001')]);
  const r = dissect(GROUP, [{ payload: q }]);
  assert.equal(r.meta.server_name, '????????????');
  assert.ok(r.risks.includes('Non-Printable/Invalid Chars Detected'));
});

test('llmnr: near misses: the query to port 53 or 5353, and a unicast flagged message to 5355', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: QUERY }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5353, dissectors: only }, [{ payload: QUERY }]).confidence, 'dpi');
  const flagged = Buffer.from(QUERY);
  flagged[2] = 0x81;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5355, dissectors: only }, [{ payload: flagged }]).confidence, 'dpi');
});

test('llmnr: every truncation of the query is handled', () => {
  for (const b of prefixes(QUERY)) {
    if (b.length === 0) continue;
    const r = dissect(GROUP, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'LLMNR');
    if (b.length < 12) assert.notEqual(r.confidence, 'dpi');
  }
});
