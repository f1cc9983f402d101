import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as syncthing } from '../../../src/dpi/protocols/syncthing';

const only = [syncthing];
// syncthing.pcap frame 20 (first 60 bytes): local discovery announcement, magic 0x2EA7D90B, device id, first address.
const ANNOUNCE = hex('2ea7d90b0a2092b76262996294825fc6cce6cf34794288282d73b5ecdf2dcb29bfd484c42d6f12197463703a2f2f3139322e3136382e322e3130303a');

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

test('syncthing: a local discovery announcement is Syncthing', () => {
  const r = dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: ANNOUNCE }]);
  assert.equal(r.name, 'Syncthing');
  assert.equal(r.confidence, 'dpi');
});

test('syncthing: relay protocol messages over TCP are Syncthing', () => {
  const join = hex('9e79bc40 00000003 00000000');
  assert.equal(dissect({ serverPort: 22067, dissectors: only }, [{ payload: join }]).name, 'Syncthing');
});

test('syncthing: near miss: the magic without the device id field, or another magic', () => {
  const noId = Buffer.from(ANNOUNCE);
  noId[5] = 0x10;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: noId }]).confidence, 'dpi');
  const other = Buffer.from(ANNOUNCE);
  other[0] = 0x2f;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
});

test('syncthing: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(ANNOUNCE)) assert.equal(direct(syncthing, 'udp', [{ payload: b }]), b.length >= 38 ? P.Syncthing : 0);
});
