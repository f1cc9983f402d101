import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as whatsapp } from '../../../src/dpi/protocols/whatsapp';

const only = [whatsapp];
// whatsapp_voice_and_message.pcap frame 124 (first 48 bytes): "WA" prologue, version 1.5, first frame.
const WA = hex('57410105000017f80501a59189fc0f416e64726f69642d322e31322e3834000019f8029cf804f801fc07707269766163');
// wa_voice.pcap frame 15 (first 48 bytes): edge routing header "ED" 0x0001, then "WA" 2.1.
const ED = hex('4544000100000408050802574102010000ee12eb010a206cd25373402b2fee665c43683d24ce6e73a45a59d03467ae03');

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

test('whatsapp: the WA prologue, with or without the edge routing header, is WhatsApp', () => {
  const r = dissect({ serverPort: 5222, dissectors: only }, [{ payload: WA }]);
  assert.equal(r.name, 'WhatsApp');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 443, dissectors: only }, [{ payload: ED }]).name, 'WhatsApp');
});

test('whatsapp: near miss: TLS, XMPP and a WA prefix with a large version are not WhatsApp', () => {
  assert.notEqual(dissect({ serverPort: 443, dissectors: only }, [{ payload: hex('16030100b9010000b50303') }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 5222, dissectors: only }, [{ payload: "<stream:stream to='x'>" }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 5222, dissectors: only }, [{ payload: 'WAIT a moment\r\n' }]).confidence, 'dpi');
});

test('whatsapp: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(WA)) assert.equal(direct(whatsapp, 'tcp', [{ payload: b }]), b.length >= 7 ? P.WhatsApp : 0);
  for (const b of prefixes(ED)) assert.equal(direct(whatsapp, 'tcp', [{ payload: b }]), b.length >= 18 ? P.WhatsApp : 0);
});
