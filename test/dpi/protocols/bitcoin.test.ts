import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as bitcoin } from '../../../src/dpi/protocols/bitcoin';

const only = [bitcoin];
// bitcoin.pcap frame 51: "version" message.
const VERSION = hex(`
f9beb4d976657273696f6e000000000055000000017d00000100000000000000bfb1904d000000000100000000000000
00000000000000000000ffff4a59b5e5208d010000000000000000000000000000000000ffff2660841e208daabbe3e4
df76ab5d00bdbe0100`);

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

test('bitcoin: a version message is BITCOIN on any port', () => {
  const r = dissect({ serverPort: 18080, dissectors: only }, [{ payload: VERSION }]);
  assert.equal(r.name, 'BITCOIN');
  assert.equal(r.confidence, 'dpi');
});

test('bitcoin: near miss: another magic, a command with junk after its padding', () => {
  const magic = Buffer.from(VERSION);
  magic[0] = 0xf8;
  assert.notEqual(dissect({ serverPort: 8333, dissectors: only }, [{ payload: magic }]).confidence, 'dpi');
  const cmd = Buffer.from(VERSION);
  cmd[14] = 0x41;
  assert.notEqual(dissect({ serverPort: 8333, dissectors: only }, [{ payload: cmd }]).confidence, 'dpi');
});

test('bitcoin: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(VERSION)) assert.equal(direct(bitcoin, 'tcp', [{ payload: b }]), b.length >= 24 ? P.BITCOIN : 0);
});
