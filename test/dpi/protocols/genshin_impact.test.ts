import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/genshin_impact';

const only = [dissector];
const KCP_HELLO = hex(`
  # genshin-impact.pcap frame 1 (20 bytes)
  00 00 00 ff 00 00 00 00 00 00 00 00 49 96 02 d2 ff ff ff ff
`);
const KCP_REPLY = hex(`
  # genshin-impact.pcap frame 2 (20 bytes)
  00 00 01 45 00 03 18 32 3a 0d a2 15 49 96 02 d2 14 51 45 45
`);
const TCP_REQUEST = hex(`
  # genshin-impact.pcap frame 64 (42 bytes)
  01 00 00 00 2a 07 00 00 00 00 ae c6 75 e1 00 00 4d a6 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 62 65 6a 8d
`);
const TCP_REPLY = hex(`
  # genshin-impact.pcap frame 66 (50 bytes)
  01 00 00 00 32 08 00 00 00 01 ae c6 75 e1 00 00 4d a6 8e 6a 65 62 c0 78 02 00 00 13 f6 00 09 39
  57 cc b4 57 7f b3 f7 7f 53 27 6e 2f dc 1a c7 f3 9e 78
`);

test('genshin_impact: the KCP handshake and its answer are GenshinImpact', () => {
  for (const [dir, p] of [[0, KCP_HELLO], [1, KCP_REPLY]] as const) {
    const r = dissect({ l4: 'udp', serverPort: 22101, clientPort: 58766, dissectors: only }, [{ dir, payload: p }]);
    assert.equal(r.name, 'GenshinImpact');
    assert.equal(r.confidence, 'dpi');
    assert.deepEqual(r.undeclared, []);
  }
});

test('genshin_impact: a TCP request and the reply with the same session id are GenshinImpact', () => {
  const r = dissect({ serverPort: 80, clientPort: 39686, dissectors: only }, [{ payload: TCP_REQUEST }, { dir: 1, payload: TCP_REPLY }]);
  assert.equal(r.name, 'GenshinImpact');
});

test('genshin_impact: near miss: a 20-byte datagram with the magic but another tail, or an unanswered TCP frame, is not GenshinImpact', () => {
  const tail = Buffer.from(KCP_HELLO);
  tail[19] = 0;
  const r = dissect({ l4: 'udp', serverPort: 22101, dissectors: only }, [{ payload: tail }]);
  assert.notEqual(r.confidence, 'dpi');
  const otherSession = Buffer.from(TCP_REPLY);
  otherSession[12] ^= 0xff;
  const t = dissect({ serverPort: 80, dissectors: only }, [{ payload: TCP_REQUEST }, { dir: 1, payload: otherSession }]);
  assert.notEqual(t.confidence, 'dpi');
});

test('genshin_impact: every truncation is handled; only whole messages are recognised', () => {
  for (const b of prefixes(KCP_HELLO)) {
    const r = dissect({ l4: 'udp', serverPort: 22101, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === KCP_HELLO.length);
  }
  for (const b of prefixes(TCP_REPLY)) {
    const r = dissect({ serverPort: 80, dissectors: only }, [{ payload: TCP_REQUEST }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === TCP_REPLY.length);
  }
});
