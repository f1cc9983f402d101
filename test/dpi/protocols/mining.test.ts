import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as mining } from '../../../src/dpi/protocols/mining';

const only = [mining];
// mining.pcapng frame 246: Stratum mining.subscribe.
const SUBSCRIBE = Buffer.from('{"id":1,"method":"mining.subscribe","params":["EWBF 0.3.4b",null,"eu1-zcash.flypool.org","3333"]}\n', 'latin1');
const XMR = '{"method":"login","params":{"login":"4BCeEPhodg","pass":"x","agent":"xmr-stak-cpu/1.3.0-1.5.0"},"id":1}\n';

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

test('mining: Stratum and CryptoNote pool logins are Mining', () => {
  const r = dissect({ serverPort: 3333, dissectors: only }, [{ payload: SUBSCRIBE }]);
  assert.equal(r.name, 'Mining');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 9050, dissectors: only }, [{ payload: XMR }]).name, 'Mining');
  assert.equal(dissect({ serverPort: 9999, dissectors: only }, [{ payload: '{"worker": "eth1.0", "jsonrpc": "2.0", "params": ["0x9c9"], "id": 2, "method": "eth_submitLogin"}\n' }]).name, 'Mining');
});

test('mining: near miss: other JSON-RPC and JSON documents are not Mining', () => {
  assert.notEqual(dissect({ serverPort: 3333, dissectors: only }, [{ payload: '{"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1}' }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 3333, dissectors: only }, [{ payload: '{"login":"user","pass":"secret","remember":true}' }]).confidence, 'dpi');
});

test('mining: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(SUBSCRIBE)) assert.equal(direct(mining, 'tcp', [{ payload: b }]), b.length >= SUBSCRIBE.indexOf('"mining.subscribe"') + 18 ? P.Mining : 0, `cut at ${b.length}`);
});
