import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as tailscale } from '../../../src/dpi/protocols/tailscale';

const only = [tailscale];
// tailscale.pcap frame 1: DISCO message (magic, sender key, nonce, sealed box).
const DISCO = hex(`
5453f09f92acb6847dd212ae777bfae214b36d0d971152f0c7e0524e0c28b0a0105b5fa6161703214ee94e401257e70f
a30f02a2c6b15bb7ab39de58a6aba6dfda69f578e7c967976bd80ea2e2ca6e18b699846a9aa1b71d6a965bee`);

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

test('tailscale: a DISCO message is Tailscale', () => {
  const r = dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: DISCO }]);
  assert.equal(r.name, 'Tailscale');
  assert.equal(r.confidence, 'dpi');
});

test('tailscale: near miss: "TS" without the balloon, a magic with no room for key and nonce', () => {
  const other = Buffer.from(DISCO);
  other[5] = 0xad;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: DISCO.subarray(0, 40) }]).confidence, 'dpi');
});

test('tailscale: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(DISCO)) assert.equal(direct(tailscale, 'udp', [{ payload: b }]), b.length >= 78 ? P.Tailscale : 0);
});
