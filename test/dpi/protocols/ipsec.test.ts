import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as ipsec } from '../../../src/dpi/protocols/ipsec';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';

const only = [ipsec];
// ipsec_isakmp_esp.pcap frame 489: IKEv2 IKE_AUTH behind the NAT-T non-ESP marker (UDP 4500).
const NATT = hex(`
00000000cd7bae2d4bfda73e1c4146bf012011b52e202308000000020000006c30000050e2e5a9bcabecd3e1ab777f02
f8893690053c8c975afff6421d04013f325714a5dfc8bc858de7097b0044f25c8515d7f9587afddd7975f45b9e691b6f
366e5e5938a14a0c2b68c05cb945b2cd`);
/** An IKEv1 Identity Protection message (RFC 2408 3.1): SPIs, SA payload, version 1.0, exchange 2, length. */
function ikev1(): Buffer {
  const b = Buffer.alloc(60, 0);
  b.write('0123456789abcdef', 0, 'hex');
  b[16] = 1;
  b[17] = 0x10;
  b[18] = 2;
  b.writeUInt32BE(60, 24);
  return b;
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

test('ipsec: IKEv2 behind the non-ESP marker and IKEv1 on port 500 are IPSec', () => {
  const r = dissect({ l4: 'udp', serverPort: 4500, dissectors: only }, [{ payload: NATT }]);
  assert.equal(r.name, 'IPSec');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 500, dissectors: only }, [{ payload: ikev1() }]).name, 'IPSec');
});

test('ipsec: near miss: a wrong length field, an unknown version or exchange, zero SPIs', () => {
  const udp = (payload: Buffer): string => dissect({ l4: 'udp', serverPort: 500, dissectors: only }, [{ payload }]).confidence;
  const len = ikev1();
  len.writeUInt32BE(61, 24);
  assert.notEqual(udp(len), 'dpi');
  const ver = ikev1();
  ver[17] = 0x30;
  assert.notEqual(udp(ver), 'dpi');
  const ex = ikev1();
  ex[18] = 99;
  assert.notEqual(udp(ex), 'dpi');
  const spi = ikev1();
  spi.fill(0, 0, 8);
  assert.notEqual(udp(spi), 'dpi');
});

test('ipsec: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(NATT)) assert.equal(direct(ipsec, 'udp', [{ payload: b }], 4500), b.length === NATT.length ? P.IPSec : 0);
});
