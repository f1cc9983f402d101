import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as mgcp } from '../../../src/dpi/protocols/mgcp';

const only = [mgcp];
// mgcp.pcap frame 15: "RSIP 262662134 *@vg224 MGCP 0.1" restart in progress.
const RSIP = hex('5253495020323632363632313334202a407667323234204d47435020302e310a524d3a20677261636566756c0a52443a20300a');

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

test('mgcp: a command line is MGCP and its endpoint domain the server name', () => {
  const r = dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: RSIP }, { dir: 1, payload: '200 262662134 \n' }]);
  assert.equal(r.name, 'MGCP');
  assert.equal(r.meta.server_name, 'vg224');
  assert.deepEqual(r.undeclared, []);
  const rqnt = 'RQNT 1 *@gateway44.myplace.com MGCP 1.0\r\nR: l/hd(n)\r\nX: 2\r\n\r\n';
  assert.equal(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: rqnt }]).meta.server_name, 'gateway44.myplace.com');
});

test('mgcp: near miss: SIP and a verb without the MGCP version are not MGCP', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: 'INVITE sip:a@b SIP/2.0\r\n\r\n' }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: 'CRCX 12 endpoint SIP 2.0\r\n' }]).confidence, 'dpi');
});

test('mgcp: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(RSIP)) assert.equal(direct(mgcp, 'udp', [{ payload: b }]), b.length >= RSIP.indexOf(' MGCP ') + 6 ? P.MGCP : 0, `cut at ${b.length}`);
});
