import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { Cursor } from '../../../src/dpi/cursor';
import { DissectContext, Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/yojimbo';

const only = [dissector];
const L4 = 17;

/** Calls the dissector directly on one payload (the harness's per-flow setup is too slow for 1000+ prefixes). */
function direct(payload: Buffer, dir = 0, state?: unknown): { verdict: Verdict; state: unknown } {
  const ctx = {
    buf: payload, off: 0, len: payload.length, cur: new Cursor().reset(payload, 0, payload.length), dir, l4: L4,
    srcPort: 40000, dstPort: 40001, clientPort: 40000, serverPort: 40001, dirIndex: 0, flowIndex: 0,
    c2sPackets: 1, s2cPackets: 0, tsMs: 0, ipVersion: 4, srcAddr: new Int32Array(8), srcAddrOff: 0,
    dstAddr: new Int32Array(8), dstAddrOff: 4, state,
    detect(): void {}, set(): void {}, risk(): void {},
  } as unknown as DissectContext;
  const verdict = dissector.dissect(ctx);
  return { verdict, state: ctx.state };
}

// yojimbo.pcap frame 1 (1078 bytes): the 54 bytes before the encrypted token; the 1024-byte token is filled here.
const HEAD = hex(`
  # yojimbo.pcap frame 1 (1078 bytes, first 54 of 1078 bytes)
  00 4e 45 54 43 4f 44 45 20 31 2e 30 32 00 00 00 00 00 00 00 00 00 20 13 ad 65 00 00 00 00 28 46
  28 e1 cc 6c c5 b7 8e d1 b1 a7 e3 b9 0b e9 b2 03 87 01 5b e9 c5 cd
`);
const REQUEST = Buffer.concat([HEAD, Buffer.alloc(1024, 0xa5)]);

test('yojimbo: the netcode connection request is Yojimbo', () => {
  const r = dissect({ l4: 'udp', serverPort: 40000, clientPort: 34638, dissectors: only }, [{ payload: REQUEST }]);
  assert.equal(r.name, 'Yojimbo');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('yojimbo: near miss: the version string in a datagram of another size is not Yojimbo', () => {
  const r = dissect({ l4: 'udp', serverPort: 40000, dissectors: only }, [{ payload: REQUEST.subarray(0, 200) }]);
  assert.notEqual(r.confidence, 'dpi');
  const other = Buffer.from(REQUEST);
  other.write('NETCOD', 1, 'latin1');
  other[7] = 0x58;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 40000, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
});

test('yojimbo: every truncation is handled; only the whole request is recognised', () => {
  for (const b of prefixes(REQUEST)) {
    assert.equal(direct(b).verdict === Verdict.Done, b.length === REQUEST.length);
  }
});
