import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/rtmp';

const only = [dissector];
const L4 = 6;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

// rtmp.pcap frames 4 (C0+C1 start) and 8 (S0+S1 start): the first 32 bytes of each; the rest of the
// 1536-byte C1/S1 random blocks is filled with a pattern here.
const C0C1_HEAD = hex(`
  # rtmp.pcap frame 4 (1460 bytes, first 32 of 1460 bytes)
  03 00 07 aa 57 00 00 00 00 c4 ff 95 ff 1a ff e3 ff c0 00 c1 00 36 00 af 00 fc 00 2d 00 92 ff bb
`);
const S0S1_HEAD = hex(`
  # rtmp.pcap frame 8 (1260 bytes, first 32 of 1260 bytes)
  03 3d d5 b7 00 00 00 00 00 01 00 76 00 ef 00 3c 00 6d 00 d2 00 fb 00 b8 00 19 00 6e 00 47 00 74
`);

function block(head: Buffer, size: number): Buffer {
  const b = Buffer.alloc(size);
  head.copy(b);
  for (let i = head.length; i < size; i++) b[i] = (i * 7) & 0xff;
  return b;
}

const C0C1 = block(C0C1_HEAD, 1537);
const S0S1S2 = block(S0S1_HEAD, 1537 + 1536);

test('rtmp: the version-3 handshake in both directions is RTMP, across segments', () => {
  const r = dissect({ serverPort: 1935, clientPort: 1177, dissectors: only }, [
    { payload: C0C1.subarray(0, 1460) },
    { payload: C0C1.subarray(1460) },
    { dir: 1, payload: S0S1S2.subarray(0, 1260) },
    { dir: 1, payload: S0S1S2.subarray(1260, 2720) },
  ]);
  assert.equal(r.name, 'RTMP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('rtmp: near miss: an RDP connection request (TPKT) on port 1935 is not RTMP', () => {
  const tpkt = hex('03 00 00 13 0e e0 00 00 00 00 00 01 00 08 00 03 00 00 00');
  const r = dissect({ serverPort: 1935, dissectors: only }, [{ payload: tpkt }, { dir: 1, payload: hex('03 00 00 13 0e d0 00 00 12 34 00 02 00 08 00 02 00 00 00') }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rtmp: near miss: a client that never completes C1 is not RTMP', () => {
  const r = dissect({ serverPort: 1935, dissectors: only }, [{ payload: C0C1.subarray(0, 1000) }, { dir: 1, payload: S0S1S2 }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rtmp: every truncation of C0+C1 is handled; only a complete C1 is recognised', () => {
  const server = direct(S0S1S2, 1).state;
  for (const b of prefixes(C0C1)) {
    const copy = { done: [...(server as { done: boolean[] }).done] };
    assert.equal(direct(b, 0, copy).verdict === Verdict.Done, b.length === C0C1.length);
  }
  // Through the engine, with the server's handshake first.
  for (const n of [1, 4, 1536, 1537]) {
    const r = dissect({ serverPort: 1935, dissectors: only }, [{ dir: 1, payload: S0S1S2 }, { payload: C0C1.subarray(0, n) }]);
    assert.equal(r.confidence === 'dpi', n === 1537);
  }
});
