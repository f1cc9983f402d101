import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as mdns } from '../../../src/dpi/protocols/mdns';

const only = [mdns];

// 1kxun.pcap frame 682: PTR query for _googlecast._tcp.local to 224.0.0.251.
const QUERY = hex('0000000000010000000000000b5f676f6f676c6563617374045f746370056c6f63616c00000c0001');
// whatsapp_login_call.pcap frame 864: answer for Lucas-iMac.local (AAAA, A and additional records).
const ANSWER = hex(`0000840000000001000000020a4c756361732d694d6163056c6f63616c00001c8001000000780010fe80000000000000c42c03fffe606a64
c00c00018001000000780004c0a80201c00c001c8001000000780010fe80000000000000c42c03fffe606a64`);

const GROUP = { l4: 'udp' as const, clientPort: 5353, serverPort: 5353, server: '224.0.0.251', dissectors: only };

test('mdns: a multicast query on 5353 is MDNS with the service name', () => {
  const r = dissect(GROUP, [{ payload: QUERY }]);
  assert.equal(r.name, 'MDNS');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, '_googlecast._tcp.local');
  assert.equal(r.meta.dns_query_type, 12);
  assert.deepEqual(r.undeclared, []);
});

test('mdns: an announcement without questions keeps the name lower-cased and the answer address', () => {
  const r = dissect(GROUP, [{ payload: ANSWER }]);
  assert.equal(r.name, 'MDNS');
  assert.equal(r.meta.server_name, 'lucas-imac.local');
  assert.deepEqual(r.meta.dns_answers, ['fe80::c42c:3ff:fe60:6a64']);
});

test('mdns: near misses: the same query off 5353, and a unicast query with flags to 5353', () => {
  assert.notEqual(dissect({ l4: 'udp', clientPort: 40000, serverPort: 5300, dissectors: only }, [{ payload: QUERY }]).confidence, 'dpi');
  const flagged = Buffer.from(QUERY);
  flagged[2] = 0x01;
  assert.notEqual(dissect({ l4: 'udp', clientPort: 40000, serverPort: 5353, dissectors: only }, [{ payload: flagged }]).confidence, 'dpi');
  assert.notEqual(dissect(GROUP, [{ payload: hex('0102030405') }]).confidence, 'dpi');
});

test('mdns: every truncation of the answer is handled', () => {
  for (const b of prefixes(ANSWER)) {
    if (b.length === 0) continue;
    const r = dissect(GROUP, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'MDNS');
  }
});
