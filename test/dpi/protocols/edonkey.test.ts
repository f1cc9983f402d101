import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as edonkey } from '../../../src/dpi/protocols/edonkey';

const only = [edonkey];
/** OP_HELLO (eMule protocol specification 6.2.1): 0xE3, length, opcode 0x01, hash size 16, user hash, client id, port, tags. */
function hello(): Buffer {
  const body = Buffer.concat([hex('01 10'), Buffer.alloc(16, 0xab), hex('0a00000a 361200000000')]);
  const head = Buffer.alloc(5);
  head[0] = 0xe3;
  head.writeUInt32LE(body.length, 1);
  return Buffer.concat([head, body]);
}

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

test('edonkey: a hello message is eDonkey', () => {
  const r = dissect({ serverPort: 4662, dissectors: only }, [{ payload: hello() }]);
  assert.equal(r.name, 'eDonkey');
  assert.equal(r.confidence, 'dpi');
});

test('edonkey: near miss: another protocol byte, a length that does not fit', () => {
  const other = hello();
  other[0] = 0xe2;
  assert.notEqual(dissect({ serverPort: 4662, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
  const len = hello();
  len.writeUInt32LE(4000, 1);
  assert.notEqual(dissect({ serverPort: 4662, dissectors: only }, [{ payload: len }]).confidence, 'dpi');
});

test('edonkey: every truncation of the fixture is handled without mislabelling', () => {
  const h = hello();
  for (const b of prefixes(h)) assert.equal(direct(edonkey, 'tcp', [{ payload: b }]), b.length === h.length ? P.eDonkey : 0);
});
