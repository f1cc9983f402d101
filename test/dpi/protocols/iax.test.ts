import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as iax } from '../../../src/dpi/protocols/iax';

const only = [iax];
// iax.pcap frame 1: IAX2 NEW with its information elements.
const NEW = hex(`
8004000000000001000006010b020002010c343432303838323035313535020c34343737383232363739343904000a02
656eff04000000020c0200001f040b0c55d6`);

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

test('iax: a NEW full frame with its information elements is IAX', () => {
  const r = dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: NEW }]);
  assert.equal(r.name, 'IAX');
  assert.equal(r.confidence, 'dpi');
});

test('iax: near miss: information elements overrunning the datagram, a mini frame, a NEW with a destination call', () => {
  const over = Buffer.from(NEW);
  over[13] = 9;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: over }]).confidence, 'dpi');
  const mini = Buffer.from(NEW);
  mini[0] = 0x00;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: mini }]).confidence, 'dpi');
  const dest = Buffer.from(NEW);
  dest[3] = 5;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: dest }]).confidence, 'dpi');
});

test('iax: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(NEW)) {
    // A cut that ends exactly between two information elements is still a well-formed frame.
    const app = direct(iax, 'udp', [{ payload: b }]);
    if (b.length < 14) assert.equal(app, 0);
    else assert.ok(app === 0 || app === P.IAX);
  }
  assert.equal(direct(iax, 'udp', [{ payload: NEW }]), P.IAX);
});
