import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/sd_rtn';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

const HELLO = hex(`
  # agora-sd-rtn.pcap frame 166 (234 bytes)
  00 60 2d 94 00 00 21 00 00 00 00 00 04 53 4e 49 00 1c 00 31 30 34 2d 31 36 36 2d 31 36 31 2d 37
  35 2e 65 64 67 65 2e 61 67 6f 72 61 2e 69 6f 50 44 4d 44 00 00 43 50 54 4f 81 00 4e 4f 4e 43 20
  00 00 00 a5 f6 50 21 1a af 77 4d 30 f1 ad 95 d3 d5 44 d9 90 df 85 fc 6a 37 a8 33 a4 dd 59 b6 63
  0e 41 45 41 44 04 00 41 45 53 47 50 55 42 53 41 00 04 e8 28 35 d1 b3 3f b3 5f c0 42 5c ac 3d 43
  ef 27 12 cc e7 42 87 a7 39 2d 89 99 16 6a 55 07 93 d8 90 a0 f7 a4 99 16 dd 97 fc f0 fd 68 26 bc
  ce 11 bd b0 a7 74 08 18 cd 75 0e c6 30 a1 54 6d e9 22 4b 45 58 53 04 00 50 32 35 36 43 43 52 54
  28 00 ff 97 c1 8f e5 11 98 1f 70 6d 04 c6 08 b8 27 99 d9 16 09 0c b8 68 90 16 12 94 96 7e df a1
  79 48 a8 47 b1 ed 1a 1f 3e 62
`);

test('sd_rtn: the Agora edge handshake is SD-RTN with the edge host name', () => {
  const r = dissect({ l4: 'udp', serverPort: 8130, clientPort: 55322, dissectors: only }, [{ payload: HELLO }]);
  assert.equal(r.name, 'SD-RTN');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, '104-166-161-75.edge.agora.io');
  assert.deepEqual(r.undeclared, []);
});

test('sd_rtn: near miss: a datagram on the same port whose first tag is not SNI, or whose name overflows, is not SD-RTN', () => {
  const tag = Buffer.from(HELLO);
  tag.write('SNX', 13, 'latin1');
  const overflow = Buffer.from(HELLO.subarray(0, 40));
  for (const p of [tag, overflow]) {
    const r = dissect({ l4: 'udp', serverPort: 8130, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('sd_rtn: every truncation is handled; a cut host name is never reported', () => {
  for (const b of prefixes(HELLO)) {
    const r = direct(b);
    if (r.verdict === Verdict.Done) assert.equal(r.meta.server_name, '104-166-161-75.edge.agora.io');
    else assert.equal(r.meta.server_name, undefined);
    assert.equal(r.verdict === Verdict.Done, b.length >= 19 + 28);
  }
});
