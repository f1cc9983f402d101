import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as ethereum } from '../../../src/dpi/protocols/ethereum';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';

const only = [ethereum];
// ethereum.pcap frame 955: Node Discovery v4 PING (hash, signature, type 1, RLP list).
const PING = hex(`
07b3dce5996c0d94db52ba9a6a847178bd65ec2adb7317ff04e5c564d19dc99b0ec69981956ebbbbdf8a59ee7d0a45a7
2b0d8622c12710a93cee8c537f799edc1bca72b3100f48d73179415e21e42d588f9f045a395c72c78a1d87b0ff04ef7b
0001dd04cb847f00000182765f82765fc98412dba79f82765f80845e16206105`);

/** An EIP-8 RLPx handshake message: size prefix, ephemeral key (0x04 ...), the rest of the ECIES blob. */
function eip8(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size + 2);
  b.writeUInt16BE(size, 0);
  b[2] = 0x04;
  for (let i = 3; i < b.length; i++) b[i] = (i * 131 + seed) & 0xff;
  return b;
}

/**
 * Calls the dissector directly over one flow's payloads, without the engine
 * (whose construction dominates a truncation loop): the label detected last,
 * or 0. Stops at Done/Exclude or the dissector's budget, as the engine does.
 */
function direct(d: Dissector, l4: 'tcp' | 'udp', pkts: readonly { dir?: 0 | 1; payload: Buffer }[], serverPort = 5000): number {
  const fd = new FlowDpi(1);
  const cur = new Cursor();
  const addr = Int32Array.from([0xc000020a, 0, 0, 0, 0xc6336414 | 0, 0, 0, 0]);
  const seen = [0, 0];
  let label = 0;
  let state: unknown;
  for (let i = 0; i < pkts.length && i < d.budget; i++) {
    const dir = pkts[i].dir ?? 0;
    const b = pkts[i].payload;
    seen[dir]++;
    const ctx = {
      buf: b, off: 0, len: b.length, cur: cur.reset(b, 0, b.length), dir, l4: l4 === 'tcp' ? 6 : 17,
      srcPort: dir === 0 ? 40000 : serverPort, dstPort: dir === 0 ? serverPort : 40000, clientPort: 40000, serverPort,
      dirIndex: seen[dir] - 1, flowIndex: i, c2sPackets: seen[0], s2cPackets: seen[1], tsMs: 1_700_000_000_000 + i,
      ipVersion: 4, srcAddr: addr, srcAddrOff: dir === 0 ? 0 : 4, dstAddr: addr, dstAddrOff: dir === 0 ? 4 : 0, flow: fd, state,
      detect(app: number): void { label = app; },
      set(f: string, v: unknown): void { (fd.meta as Record<string, unknown>)[f] = v; },
      risk(): void {},
    };
    const v = d.dissect(ctx as unknown as DissectContext);
    state = ctx.state;
    if (v === Verdict.Done || v === Verdict.Exclude) break;
  }
  return label;
}

test('ethereum: an RLPx EIP-8 auth and ack are ETHEREUM', () => {
  const r = dissect({ serverPort: 30303, dissectors: only }, [{ payload: eip8(413, 1) }, { dir: 1, payload: eip8(492, 2) }]);
  assert.equal(r.name, 'ETHEREUM');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ethereum: a Discovery v4 ping over UDP is ETHEREUM', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 30303, dissectors: only }, [{ payload: PING }]).name, 'ETHEREUM');
});

test('ethereum: near miss: a length-prefixed message without the key marker, or a ping with a bad RLP length', () => {
  const noKey = eip8(413, 1);
  noKey[2] = 0x05;
  assert.notEqual(dissect({ serverPort: 30303, dissectors: only }, [{ payload: noKey }]).confidence, 'dpi');
  const dnsLike = eip8(40, 3); // a short length-prefixed message (DNS over TCP size)
  assert.notEqual(dissect({ serverPort: 30303, dissectors: only }, [{ payload: dnsLike }]).confidence, 'dpi');
  const bad = Buffer.from(PING);
  bad[98] = 0xde; // RLP list length no longer matches the datagram
  assert.notEqual(dissect({ l4: 'udp', serverPort: 30303, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
});

test('ethereum: every truncation of the fixtures is handled without mislabelling', () => {
  const auth = eip8(413, 1);
  for (const b of prefixes(auth)) assert.equal(direct(ethereum, 'tcp', [{ payload: b }]), b.length === auth.length ? P.ETHEREUM : 0);
  for (const b of prefixes(PING)) assert.equal(direct(ethereum, 'udp', [{ payload: b }]), b.length === PING.length ? P.ETHEREUM : 0);
});
