import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as slp } from '../../../src/dpi/protocols/slp';

const only = [slp];

// srvloc.pcap: an SLPv2 SrvTypeRqst (language "en", scope DEFAULT).
const V2 = hex('020900001d00000000009df60002656e0000ffff000744454641554c54');
// srvloc-v1.pcapng: an SLPv1 SrvRqst for service:x-hpnp-discover.
const V1 = hex('0106002c0000656e00031ef700000018736572766963653a782d68706e702d646973636f7665723a00000000');

test('slp: version 2 and version 1 requests are Service_Location_Protocol', () => {
  const r = dissect({ l4: 'udp', serverPort: 427, dissectors: only }, [{ payload: V2 }]);
  assert.equal(r.name, 'Service_Location_Protocol');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  assert.equal(dissect({ l4: 'udp', clientPort: 51708, serverPort: 427, dissectors: only }, [{ payload: V1 }]).name, 'Service_Location_Protocol');
});

test('slp: near misses: a wrong length, reserved flags, a bad language tag', () => {
  const len = Buffer.from(V2);
  len[4] = 0x1e;
  const flags = Buffer.from(V2);
  flags[6] = 0x01;
  const lang = Buffer.from(V2);
  lang[14] = 0x31;
  for (const p of [len, flags, lang]) assert.notEqual(dissect({ l4: 'udp', serverPort: 427, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
});

test('slp: every truncation of the request is handled', () => {
  for (const b of prefixes(V2)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 427, dissectors: only }, [{ payload: b }]);
    if (b.length < V2.length) assert.notEqual(r.confidence, 'dpi');
  }
});
