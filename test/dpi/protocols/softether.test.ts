import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as softether } from '../../../src/dpi/protocols/softether';

const only = [softether];
// softether.pcap frames 1/2: NAT-T query "A" and the reply with the public address.
const REPLY = Buffer.from('IP=90.186.132.133,PORT=51381', 'latin1');
// softether.pcap frame 41: PACK with opcode "get_token", tran_id, nat_traversal_version.
const PACK = hex(`
00000003000000076f70636f64650000000200000001000000096765745f746f6b656e000000087472616e5f69640000
00040000000155ca14e54bbd177a000000166e61745f74726176657273616c5f76657273696f6e000000000000000100
000001`);

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

test('softether: the NAT-T exchange and PACK messages are Softether', () => {
  const r = dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: 'A' }, { dir: 1, payload: REPLY }]);
  assert.equal(r.name, 'Softether');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: PACK }]).name, 'Softether');
});

test('softether: near miss: a PACK whose last value overruns, text that is not an address reply', () => {
  const bad = Buffer.from(PACK);
  bad.writeUInt32BE(9, 12);
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: 'IP=who knows,PORT=x' }]).confidence, 'dpi');
});

test('softether: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(PACK)) assert.equal(direct(softether, 'udp', [{ payload: b }]), b.length === PACK.length ? P.Softether : 0);
  for (const b of prefixes(REPLY)) assert.equal(direct(softether, 'udp', [{ payload: b }]), b.length >= 24 ? P.Softether : 0, `cut at ${b.length}`);
});
