import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/tplink_shp';

const only = [dissector];
const DISCOVERY = hex(`
  # tplink_shp.pcap frame 2 (29 bytes)
  d0 f2 81 f8 8b ff 9a f7 d5 ef 94 b6 d1 b4 c0 9f ec 95 e6 8f e1 87 e8 ca f0 8b f6 8b f6
`);

function obfuscate(s: string): Buffer {
  const out = Buffer.alloc(s.length);
  let k = 171;
  for (let i = 0; i < s.length; i++) {
    out[i] = s.charCodeAt(i) ^ k;
    k = out[i];
  }
  return out;
}

test('tplink_shp: the obfuscated get_sysinfo broadcast is TPLINK_SHP', () => {
  const r = dissect({ l4: 'udp', serverPort: 9999, clientPort: 9999, server: '255.255.255.255', dissectors: only }, [{ payload: DISCOVERY }]);
  assert.equal(r.name, 'TPLINK_SHP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  assert.deepEqual(obfuscate('{"system":{"get_sysinfo":{}}}'), DISCOVERY);
});

test('tplink_shp: a length-prefixed command over TCP is TPLINK_SHP', () => {
  const body = obfuscate('{"system":{"set_relay_state":{"state":1}}}');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const r = dissect({ l4: 'tcp', serverPort: 9999, dissectors: only }, [{ payload: Buffer.concat([len, body]) }]);
  assert.equal(r.name, 'TPLINK_SHP');
});

test('tplink_shp: near miss: plain JSON or random bytes on port 9999 are not TPLINK_SHP', () => {
  for (const p of [Buffer.from('{"system":{"get_sysinfo":{}}}'), Buffer.from('d0f2aabbccddeeff00112233', 'hex')]) {
    const r = dissect({ l4: 'udp', serverPort: 9999, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('tplink_shp: every truncation is handled; a cut object is not recognised', () => {
  for (const b of prefixes(DISCOVERY)) {
    const r = dissect({ l4: 'udp', serverPort: 9999, dissectors: only }, [{ payload: b }]);
    if (r.confidence === 'dpi') assert.equal(b.length, DISCOVERY.length);
  }
});
