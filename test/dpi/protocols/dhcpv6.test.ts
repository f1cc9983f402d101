import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as dhcpv6 } from '../../../src/dpi/protocols/dhcpv6';

const only = [dhcpv6];

// android.pcap frame 69: SOLICIT (client ID, IA_NA, elapsed time, option request).
const SOLICIT = hex('01d8e4fe0001000e0001000125e5148e4c6af69ff6270003000c0e0008ca00000000000000000008000200000006000400170018');

test('dhcpv6: a solicit from 546 to 547 is DHCPV6', () => {
  const r = dissect({ l4: 'udp', clientPort: 546, serverPort: 547, dissectors: only }, [{ payload: SOLICIT }]);
  assert.equal(r.name, 'DHCPV6');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dhcpv6: a relay-forward message is DHCPV6', () => {
  const relay = Buffer.concat([hex('0c00'), Buffer.alloc(32), hex('0009'), Buffer.from([0, SOLICIT.length]), SOLICIT]);
  assert.equal(dissect({ l4: 'udp', clientPort: 547, serverPort: 547, dissectors: only }, [{ payload: relay }]).name, 'DHCPV6');
});

test('dhcpv6: near misses: the solicit off the DHCPv6 ports, options overrunning, an unknown type', () => {
  assert.notEqual(dissect({ l4: 'udp', clientPort: 40000, serverPort: 40001, dissectors: only }, [{ payload: SOLICIT }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', clientPort: 546, serverPort: 547, dissectors: only }, [{ payload: SOLICIT.subarray(0, SOLICIT.length - 1) }]).confidence, 'dpi');
  const odd = Buffer.from(SOLICIT);
  odd[0] = 0xc8;
  assert.notEqual(dissect({ l4: 'udp', clientPort: 546, serverPort: 547, dissectors: only }, [{ payload: odd }]).confidence, 'dpi');
});

test('dhcpv6: every truncation of the solicit is handled', () => {
  for (const b of prefixes(SOLICIT)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', clientPort: 546, serverPort: 547, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'DHCPV6');
  }
});
