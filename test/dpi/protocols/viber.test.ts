import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as viber } from '../../../src/dpi/protocols/viber';

const only = [viber];
// viber.pcap frame 359: 34-byte relay message type 0x0019; frame 443: TCP chat message (length 24, 0xFCFF marker).
const UDP34 = hex('05b819003518f5189864e44725df4d4ee1cd371b5c9abc26d9d30b4b01bb39b30000');
const TCP = hex('180000000000fcff05800900000000000000000033000000');

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

test('viber: relay messages over UDP and chat messages over TCP are Viber', () => {
  const r = dissect({ l4: 'udp', serverPort: 7987, dissectors: only }, [{ payload: UDP34 }]);
  assert.equal(r.name, 'Viber');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 5242, dissectors: only }, [{ payload: TCP }]).name, 'Viber');
});

test('viber: near miss: RTP whose sequence number looks like a message type, TCP without the marker', () => {
  const rtp = hex('80760300171ca8004010000570c7ee59fdfc7f7d51efcb98aabbcc');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 1272, dissectors: only }, [{ payload: rtp }]).confidence, 'dpi');
  const tcp = Buffer.from(TCP);
  tcp[6] = 0;
  assert.notEqual(dissect({ serverPort: 4244, dissectors: only }, [{ payload: tcp }]).confidence, 'dpi');
});

test('viber: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(UDP34)) assert.equal(direct(viber, 'udp', [{ payload: b }]), b.length === 34 ? P.Viber : 0);
  for (const b of prefixes(TCP)) assert.equal(direct(viber, 'tcp', [{ payload: b }]), b.length === TCP.length ? P.Viber : 0);
});
