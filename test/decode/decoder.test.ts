/**
 * The Decoder entry point (src/decode/decoder.ts): options, per-reason
 * malformed counters, non-IP and unsupported-link counters, the reused
 * DecodedPacket, and the no-allocation property of decode().
 *
 * No-allocation check: V8 offers no per-call allocation counter, so the test
 * (1) gets a `gc` function (global.gc when node runs with --expose-gc, else
 * enabled at run time through v8.setFlagsFromString + vm.runInNewContext),
 * (2) warms up so every path is optimised and every lazily created buffer
 * (reassembly slots, the unsupported-link map entry) exists, (3) collects,
 * then (4) runs 200,000 decodes in a synchronous loop that itself allocates
 * nothing, and asserts that heapUsed grew by less than 1 MB AND that no
 * garbage collection ran during the loop (observed with a PerformanceObserver
 * on 'gc' entries). The GC count is the sharp check: allocating even ~50
 * bytes per decode fills the young generation and triggers scavenges, which
 * would also hide the growth from heapUsed. If gc cannot be obtained, only a
 * generous heap bound (16 MB) is asserted.
 */

import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { MALFORMED_NAMES, TUNNEL_NAMES } from '../../src/decode/packet';
import { A, catalog, decode, eth, fmtAddr, frag6, hex, inner4tcp, ipv4, ipv6, outcome, R, seqBytes, sweepTruncation, udp } from './frames';
import { getGc } from '../support/gc';

test('decoder-every-catalog-fixture-decodes-ok', () => {
  const d = new Decoder();
  for (const e of catalog()) assert.equal(outcome(d, decode(d, e.linkType, e.frame)), e.name === 'eth-arp' ? 'NotIp' : 'Ok', e.name);
});

test('decoder-every-catalog-fixture-truncated-at-every-offset', () => {
  // The outer flow of a tunnel fixture (decoded with tunnels off) is an acceptable key for a cut frame.
  for (const e of catalog()) {
    if (e.name === 'eth-arp') continue;
    const outer = new Decoder({ tunnels: false });
    assert.equal(decode(outer, e.linkType, e.frame), R.Ok, e.name);
    const p = outer.pkt;
    const [src, dst] = fmtAddr(p);
    sweepTruncation(e.linkType, e.frame, { allowedKeys: [{ v: p.ipVersion as 4 | 6, src, dst, proto: p.proto, sport: p.srcPort, dport: p.dstPort }] });
  }
});

test('decoder-reuses-one-packet-object', () => {
  const d = new Decoder();
  const p = d.pkt;
  for (const e of catalog()) decode(d, e.linkType, e.frame);
  assert.equal(d.pkt, p);
});

test('decoder-counts-malformed-frames-by-reason', () => {
  const d = new Decoder();
  decode(d, 1, hex('00 11'));
  decode(d, 1, hex('00 11 22'));
  decode(d, 101, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, seqBytes(10)));
  decode(d, 1, eth(0x0806, seqBytes(28)));
  decode(d, 1, eth(0x0800, inner4tcp()));
  assert.equal(d.malformedTotal(), 3);
  assert.deepEqual(d.malformedByReason(), { link_truncated: 2, tcp_truncated: 1 });
  assert.equal(d.malformed[0], 0, 'no Malformed result without a reason');
  assert.equal(d.nonIp, 1);
});

test('decoder-reason-and-tunnel-name-tables-match-the-enums', () => {
  assert.equal(MALFORMED_NAMES.length, new Decoder().malformed.length);
  assert.equal(new Set(MALFORMED_NAMES).size, MALFORMED_NAMES.length);
  assert.equal(TUNNEL_NAMES.length, 9);
  assert.equal(TUNNEL_NAMES[2], 'VXLAN');
});

test('decoder-packet-fields-reflect-frame-metadata', () => {
  const d = new Decoder();
  const f = eth(0x0800, inner4tcp());
  assert.equal(d.decode(1, f, 0, 40, 1514, 1234.5), R.Malformed);
  assert.equal(d.pkt.wireLen, 1514);
  assert.equal(d.pkt.uncaptured, 1474);
  assert.equal(d.pkt.frameBytes, 1514);
  assert.equal(d.pkt.tsMs, 1234.5);
  assert.equal(d.pkt.linkType, 1);
  // A wire length below the captured length is not "uncaptured".
  d.decode(1, f, 0, f.length, 10, 0);
  assert.equal(d.pkt.uncaptured, 0);
});


interface AllocResult {
  heapGrowth: number;
  gcs: number;
  haveGc: boolean;
}

async function measure(frames: Array<[number, Buffer]>, iterations: number): Promise<AllocResult> {
  const gc = getGc();
  const d = new Decoder();
  const n = frames.length;
  const lts = frames.map((f) => f[0]);
  const bufs = frames.map((f) => f[1]);
  const lens = bufs.map((b) => b.length);
  let sink = 0;
  const loop = (count: number) => {
    for (let i = 0; i < count; i++) {
      const k = i % n;
      sink += d.decode(lts[k], bufs[k], 0, lens[k], lens[k], i);
    }
  };
  loop(50_000);
  if (gc) { gc(); gc(); }
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  loop(iterations);
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  assert.ok(sink >= 0);
  return { heapGrowth: after - before, gcs, haveGc: gc !== null };
}

const NO_ALLOC_FRAMES = (): Array<[number, Buffer]> => {
  const byName = new Map(catalog().map((e) => [e.name, e]));
  const pick = ['eth-ipv4-tcp', 'eth-ipv6-ext', 'eth-qinq-ipv4', 'vxlan', 'gtp-ipv6', 'gre-keyseq', 'erspan3', 'capwap-80211-swapped', 'tzsp-eth', 'radiotap-dot11', 'sll2-ipv6', 'eth-arp', 'ppp-hdlc', 'eth-pppoe-ipv4'];
  const out: Array<[number, Buffer]> = pick.map((n) => [byName.get(n)!.linkType, byName.get(n)!.frame]);
  out.push([1, hex('00 11 22 33')]); // malformed
  out.push([147, seqBytes(60)]); // unsupported link type
  return out;
};

test('decoder-decode-allocates-nothing-per-frame', async () => {
  const r = await measure(NO_ALLOC_FRAMES(), 200_000);
  if (r.haveGc) {
    assert.ok(r.heapGrowth < 1 << 20, `heap grew by ${r.heapGrowth} bytes over 200,000 decodes`);
    assert.equal(r.gcs, 0, `${r.gcs} garbage collections ran during 200,000 decodes`);
  } else {
    assert.ok(r.heapGrowth < 16 << 20, `heap grew by ${r.heapGrowth} bytes over 200,000 decodes (no gc available)`);
  }
});

test('decoder-reassembly-allocates-nothing-per-fragment', async () => {
  const l4 = udp(1000, 2000, seqBytes(1000));
  const f4 = [0, 504].map((off) => eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 3, mf: off === 0, fragOffset: off }, l4.subarray(off, off + 504))));
  const f6 = [0, 504].map((off) => eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6(17, off, off === 0, 3, l4.subarray(off, off + 504)))));
  const r = await measure([[1, f4[0]], [1, f4[1]], [1, f6[0]], [1, f6[1]]], 200_000);
  assert.ok(r.haveGc, 'needs gc');
  assert.equal(r.gcs, 0, `${r.gcs} garbage collections ran during 200,000 fragment decodes`);
});
