import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as pptp } from '../../../src/dpi/protocols/pptp';

const only = [pptp];
// pptp.pcap frame 4: Start-Control-Connection-Request (156 bytes).
const SCCRQ = hex(`
009c00011a2b3c4d00010000010000000000000300000003ffff00016c6f63616c000000000000000000000000000000
000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063616e61
6e69616e0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
000000000000000000000000`);

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

test('pptp: a Start-Control-Connection-Request is PPTP', () => {
  const r = dissect({ serverPort: 1723, dissectors: only }, [{ payload: SCCRQ }]);
  assert.equal(r.name, 'PPTP');
  assert.equal(r.confidence, 'dpi');
});

test('pptp: near miss: another cookie, a length that does not fit the control type', () => {
  const cookie = Buffer.from(SCCRQ);
  cookie[7] = 0x4e;
  assert.notEqual(dissect({ serverPort: 1723, dissectors: only }, [{ payload: cookie }]).confidence, 'dpi');
  const len = Buffer.from(SCCRQ);
  len[1] = 0x9d;
  assert.notEqual(dissect({ serverPort: 1723, dissectors: only }, [{ payload: len }]).confidence, 'dpi');
});

test('pptp: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(SCCRQ)) assert.equal(direct(pptp, 'tcp', [{ payload: b }]), b.length >= 16 ? P.PPTP : 0);
});
