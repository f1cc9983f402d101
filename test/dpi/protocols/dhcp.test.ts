import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as dhcp } from '../../../src/dpi/protocols/dhcp';

const only = [dhcp];

// 1kxun.pcap frame 675: DHCPINFORM from joanna-PC (Windows, vendor class "MSFT 5.0").
const INFORM = hex(`01010600fc0f79d800008000c0a8050900000000000000000000000070f1a1f82afd${'00'.repeat(202)}
638253633501083d070170f1a1f82afd0c094a6f616e6e612d50433c084d53465420352e30370d010f03062c2e2f1f2179f92bfcff0000000000000000000000`);

test('dhcp: a request gives host name, parameter-list fingerprint and vendor class', () => {
  const r = dissect({ l4: 'udp', clientPort: 68, serverPort: 67, dissectors: only }, [{ payload: INFORM }]);
  assert.equal(r.name, 'DHCP');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'joanna-pc');
  assert.equal(r.meta.dhcp_fingerprint, '1,15,3,6,44,46,47,31,33,121,249,43,252');
  assert.equal(r.meta.dhcp_class_ident, 'MSFT 5.0');
  assert.deepEqual(r.undeclared, []);
});

test('dhcp: recognised off its ports from the magic cookie', () => {
  assert.equal(dissect({ l4: 'udp', clientPort: 1068, serverPort: 1067, dissectors: only }, [{ payload: INFORM }]).name, 'DHCP');
});

test('dhcp: near misses: BOOTP without the cookie, a broken option list, DNS on 67', () => {
  const noCookie = Buffer.from(INFORM);
  noCookie[236] = 0;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 67, dissectors: only }, [{ payload: noCookie }]).confidence, 'dpi');
  const broken = Buffer.from(INFORM.subarray(0, 246));
  broken[244] = 0x7f;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 67, dissectors: only }, [{ payload: broken }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 67, dissectors: only }, [{ payload: hex('784301000001000000000000026537087768617473617070036e65740000010001') }]).confidence, 'dpi');
});

test('dhcp: every truncation of the request is handled', () => {
  for (const b of prefixes(INFORM)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 67, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'DHCP');
    if (b.length < 243) assert.notEqual(r.confidence, 'dpi');
  }
});
