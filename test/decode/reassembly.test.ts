/**
 * IPv4 and IPv6 fragment reassembly (src/decode/reassembly.ts): datagrams in
 * two and three fragments, in order, reversed and overlapping; the flow's
 * ports on every fragment once the first is known, held fragments counted
 * with the first (frames, frameBytes); the whole payload on the completing
 * fragment; timeouts, eviction, the 65,535-byte limit, slot release on the
 * next decode, fragments inside a tunnel, and truncated first fragments.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, assertFlow, cat, decode, eth, frag6, gtpu, ipv4, ipv6, outcome, payloadOf, seqBytes, sweepTruncation, tcp, T, udp, vxlan } from './frames';

const SPORT = 1000;
const DPORT = 2000;
/** A UDP datagram with a 1000-byte payload: 1008 bytes of IP payload. */
const DATA = seqBytes(1000, 7);
const UDP_DGRAM = udp(SPORT, DPORT, DATA);

type Piece = [offset: number, length: number] | [offset: number, length: number, bytes: Buffer];

/** IPv4 fragments of `l4` (the IP payload) cut into `pieces`; the last piece of the datagram has MF clear. */
function frags4(l4: Buffer, pieces: Piece[], o: { id?: number; proto?: number; src?: string; dst?: string } = {}): Buffer[] {
  return pieces.map(([off, len, bytes]) =>
    eth(0x0800, ipv4({ src: o.src ?? A.c4, dst: o.dst ?? A.s4, proto: o.proto ?? 17, id: o.id ?? 0x4242, mf: off + len < l4.length, fragOffset: off }, bytes ?? l4.subarray(off, off + len))),
  );
}

/** IPv6 fragments (fragment header directly after the fixed header). */
function frags6(l4: Buffer, pieces: Piece[], o: { id?: number; next?: number; nextOf?: (i: number) => number } = {}): Buffer[] {
  return pieces.map(([off, len, bytes], i) =>
    eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6(o.nextOf ? o.nextOf(i) : o.next ?? 17, off, off + len < l4.length, o.id ?? 0x01020304, bytes ?? l4.subarray(off, off + len)))),
  );
}

const FLOW4 = { v: 4 as const, src: A.c4, dst: A.s4, proto: 17, sport: SPORT, dport: DPORT };
const FLOW6 = { v: 6 as const, src: A.c6, dst: A.s6, proto: 17, sport: SPORT, dport: DPORT };

function run(d: Decoder, frames: Buffer[], ts = 0): string[] {
  return frames.map((f) => outcome(d, decode(d, 1, f, { tsMs: ts })));
}

test('reassembly-ipv4-two-fragments-in-order', () => {
  const d = new Decoder();
  const [f1, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]]);
  assert.equal(outcome(d, decode(d, 1, f1)), 'Ok');
  let p = d.pkt;
  assertFlow(p, FLOW4);
  assert.equal(p.fragment, true);
  assert.equal(p.reassembled, false);
  assert.equal(p.payloadLen, 0, 'no payload before the datagram is whole');
  assert.equal(p.frames, 1);
  assert.equal(p.frameBytes, f1.length);
  assert.equal(d.frag.pending, 1);

  assert.equal(outcome(d, decode(d, 1, f2)), 'Ok');
  p = d.pkt;
  assertFlow(p, FLOW4);
  assert.equal(p.fragment, true);
  assert.equal(p.reassembled, true);
  assert.notEqual(p.buf, f2, 'the payload is in the reassembly buffer');
  assert.equal(p.payloadLen, 1000);
  assert.deepEqual(payloadOf(p), DATA);
  assert.equal(p.frames, 1);
  assert.equal(p.frameBytes, f2.length);
  assert.equal(d.frag.reassembled, 1);
  assert.equal(d.frag.pending, 1, 'kept until the next decode');
  decode(d, 1, eth(0x0806, seqBytes(28)));
  assert.equal(d.frag.pending, 0, 'released by the next decode');
});

test('reassembly-ipv4-three-fragments-reversed-holds-until-the-first', () => {
  const d = new Decoder();
  const [f1, f2, f3] = frags4(UDP_DGRAM, [[0, 336], [336, 336], [672, 336]]);
  assert.deepEqual(run(d, [f3, f2]), ['FragmentHeld', 'FragmentHeld']);
  assert.equal(d.pkt.fragment, true);
  assert.equal(outcome(d, decode(d, 1, f1, { wireLen: f1.length + 4 })), 'Ok');
  const p = d.pkt;
  assertFlow(p, FLOW4);
  assert.equal(p.frames, 3, 'the first fragment stands for the two held ones too');
  assert.equal(p.frameBytes, f1.length + 4 + f2.length + f3.length);
  assert.equal(p.reassembled, true, 'the first fragment completes the datagram');
  assert.equal(p.payloadLen, 1000);
  assert.deepEqual(payloadOf(p), DATA);
  assert.equal(d.frag.orphanedFragments, 0);
});

test('reassembly-ipv4-three-fragments-first-last-middle', () => {
  const d = new Decoder();
  const [f1, f2, f3] = frags4(UDP_DGRAM, [[0, 336], [336, 336], [672, 336]]);
  assert.deepEqual(run(d, [f1, f3]), ['Ok', 'Ok']);
  assertFlow(d.pkt, FLOW4, 'a later fragment carries the first one\'s ports');
  assert.equal(d.pkt.payloadLen, 0);
  assert.equal(outcome(d, decode(d, 1, f2)), 'Ok');
  assert.equal(d.pkt.reassembled, true);
  assert.deepEqual(payloadOf(d.pkt), DATA);
});

test('reassembly-ipv4-overlap-later-bytes-win', () => {
  const d = new Decoder();
  // [0, 512) then [256, 1008) whose bytes in the overlap differ.
  const later = Buffer.from(UDP_DGRAM.subarray(256));
  later.fill(0xee, 0, 256);
  const [f1, f2] = frags4(UDP_DGRAM, [[0, 512], [256, 752, later]]);
  assert.deepEqual(run(d, [f1, f2]), ['Ok', 'Ok']);
  const p = d.pkt;
  assert.equal(p.reassembled, true);
  assert.equal(p.payloadLen, 1000);
  const want = Buffer.from(DATA);
  want.fill(0xee, 256 - 8, 512 - 8);
  assert.deepEqual(payloadOf(p), want);
});

test('reassembly-ipv4-separate-datagrams-by-id-proto-and-addresses', () => {
  const d = new Decoder();
  const a = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id: 1 });
  const b = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id: 2 });
  const c = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id: 1, src: '192.168.1.11' });
  assert.deepEqual(run(d, [a[0], b[0], c[0]]), ['Ok', 'Ok', 'Ok']);
  assert.equal(d.frag.pending, 3);
  assert.deepEqual(run(d, [c[1]]), ['Ok']);
  assertFlow(d.pkt, { ...FLOW4, src: '192.168.1.11' });
  assert.deepEqual(run(d, [b[1], a[1]]), ['Ok', 'Ok']);
  assert.equal(d.frag.reassembled, 3);
});

test('reassembly-ipv6-two-fragments-in-order', () => {
  const d = new Decoder();
  const [f1, f2] = frags6(UDP_DGRAM, [[0, 504], [504, 504]]);
  assert.equal(outcome(d, decode(d, 1, f1)), 'Ok');
  assertFlow(d.pkt, FLOW6);
  assert.equal(d.pkt.fragment, true);
  assert.equal(d.pkt.payloadLen, 0);
  assert.equal(outcome(d, decode(d, 1, f2)), 'Ok');
  const p = d.pkt;
  assertFlow(p, FLOW6);
  assert.equal(p.reassembled, true);
  assert.equal(p.payloadLen, 1000);
  assert.deepEqual(payloadOf(p), DATA);
});

test('reassembly-ipv6-three-fragments-reversed', () => {
  const d = new Decoder();
  const [f1, f2, f3] = frags6(UDP_DGRAM, [[0, 336], [336, 336], [672, 336]]);
  assert.deepEqual(run(d, [f3, f2]), ['FragmentHeld', 'FragmentHeld']);
  assert.equal(outcome(d, decode(d, 1, f1)), 'Ok');
  const p = d.pkt;
  assertFlow(p, FLOW6);
  assert.equal(p.frames, 3);
  assert.equal(p.frameBytes, f1.length + f2.length + f3.length);
  assert.equal(p.reassembled, true);
  assert.deepEqual(payloadOf(p), DATA);
});

test('reassembly-ipv6-overlap-later-bytes-win', () => {
  const d = new Decoder();
  const later = Buffer.from(UDP_DGRAM.subarray(504));
  later.fill(0x11, 0, 8);
  const [f1, f2, f3] = frags6(UDP_DGRAM, [[0, 512], [512, 496], [504, 504, later]]);
  assert.deepEqual(run(d, [f1, f2]), ['Ok', 'Ok']);
  assert.deepEqual(payloadOf(d.pkt), DATA, 'complete before the overlapping copy');
  decode(d, 1, f3);
  assert.equal(outcome(d, decode(d, 1, f1)), 'Ok');
  // A fresh decoder seeing the overlapping copy before completion takes its bytes.
  const e = new Decoder();
  assert.deepEqual(run(e, [f1, f3]), ['Ok', 'Ok']);
  const want = Buffer.from(DATA);
  want.fill(0x11, 504 - 8, 512 - 8);
  assert.equal(e.pkt.reassembled, true);
  assert.deepEqual(payloadOf(e.pkt), want);
});

test('reassembly-ipv6-fragment-header-after-extension-headers-and-ext-after-it', () => {
  const d = new Decoder();
  // Hop-by-hop, then fragment header; the fragmentable part starts with destination options.
  const l4 = cat('11 00 01 04 00 00 00 00', UDP_DGRAM);
  const mk = (off: number, len: number) => eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 0 }, cat('2c 00 01 04 00 00 00 00', frag6(60, off, off + len < l4.length, 9, l4.subarray(off, off + len)))));
  assert.deepEqual(run(d, [mk(0, 512), mk(512, l4.length - 512)]), ['Ok', 'Ok']);
  assertFlow(d.pkt, FLOW6);
  assert.deepEqual(payloadOf(d.pkt), DATA);
});

test('reassembly-tcp-flags-are-counted-on-the-first-fragment-only', () => {
  const d = new Decoder();
  const seg = tcp({ sport: 80, dport: 40000, seq: 5, flags: 0x19 }, seqBytes(600));
  const [f1, f2] = frags4(seg, [[0, 320], [320, 300]], { proto: 6 });
  assert.deepEqual(run(d, [f1]), ['Ok']);
  assert.equal(d.pkt.tcpFlags, 0x19);
  assert.equal(d.pkt.tcpSeq, 5);
  assert.deepEqual(run(d, [f2]), ['Ok']);
  assert.equal(d.pkt.reassembled, true);
  assert.equal(d.pkt.tcpFlags, 0);
  assert.equal(d.pkt.payloadLen, 600);
  assert.deepEqual(payloadOf(d.pkt), seqBytes(600));
});

test('reassembly-expire-after-timeout-counts-orphans', () => {
  const d = new Decoder({ reassembly: { timeoutMs: 10_000 } });
  const [f1, f2, f3] = frags4(UDP_DGRAM, [[0, 336], [336, 336], [672, 336]]);
  assert.deepEqual(run(d, [f3, f2], 1000), ['FragmentHeld', 'FragmentHeld']);
  d.frag.expire(11_000);
  assert.equal(d.frag.pending, 1, 'not yet: exactly the timeout');
  d.frag.expire(11_001);
  assert.equal(d.frag.pending, 0);
  assert.equal(d.frag.timedOut, 1);
  assert.equal(d.frag.orphanedFragments, 2);
  // The first fragment arriving late starts a new datagram and stands for itself only.
  assert.equal(outcome(d, decode(d, 1, f1, { tsMs: 12_000 })), 'Ok');
  assert.equal(d.pkt.frames, 1);
  assert.equal(d.pkt.reassembled, false);
});

test('reassembly-default-timeout-is-30-seconds', () => {
  const d = new Decoder();
  assert.equal(d.frag.timeoutMs, 30_000);
  assert.equal(d.frag.maxDatagrams, 256);
  const [, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]]);
  run(d, [f2], 0);
  d.frag.expire(29_999);
  assert.equal(d.frag.pending, 1);
  d.frag.expire(30_001);
  assert.equal(d.frag.orphanedFragments, 1);
});

test('reassembly-more-than-max-datagrams-evicts-the-oldest', () => {
  const d = new Decoder({ reassembly: { maxDatagrams: 2 } });
  const dg = [1, 2, 3].map((id) => frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id }));
  assert.deepEqual([outcome(d, decode(d, 1, dg[0][1], { tsMs: 1 })), outcome(d, decode(d, 1, dg[1][1], { tsMs: 2 })), outcome(d, decode(d, 1, dg[2][1], { tsMs: 3 }))], ['FragmentHeld', 'FragmentHeld', 'FragmentHeld']);
  assert.equal(d.frag.evicted, 1);
  assert.equal(d.frag.orphanedFragments, 1);
  assert.equal(d.frag.pending, 2);
  // Datagram 1 lost its held fragment; datagram 3 completes.
  assert.equal(outcome(d, decode(d, 1, dg[2][0], { tsMs: 4 })), 'Ok');
  assert.equal(d.pkt.reassembled, true);
  assert.equal(d.pkt.frames, 2);
  assert.equal(outcome(d, decode(d, 1, dg[0][0], { tsMs: 5 })), 'Ok');
  assert.equal(d.pkt.reassembled, false);
  assert.equal(d.pkt.frames, 1);
});

test('reassembly-fragment-beyond-65535-bytes-is-fragment_too_large', () => {
  const d = new Decoder();
  const f4 = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 5, fragOffset: 65528 }, seqBytes(16)));
  assert.equal(outcome(d, decode(d, 1, f4)), 'Malformed:fragment_too_large');
  const f6 = eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6(17, 65528, true, 5, seqBytes(16))));
  assert.equal(outcome(d, decode(d, 1, f6)), 'Malformed:fragment_too_large');
  assert.deepEqual(d.malformedByReason(), { fragment_too_large: 2 });
  assert.equal(d.frag.pending, 0);
  // Exactly 65,535 bytes is accepted.
  const last = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 6, fragOffset: 65528 }, seqBytes(7)));
  assert.equal(outcome(d, decode(d, 1, last)), 'FragmentHeld');
});

test('reassembly-too-large-fragment-drops-the-datagram-and-its-held-fragments', () => {
  const d = new Decoder();
  const [, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id: 8 });
  run(d, [f2]);
  const big = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 8, mf: true, fragOffset: 65520 }, seqBytes(24)));
  assert.equal(outcome(d, decode(d, 1, big)), 'Malformed:fragment_too_large');
  assert.equal(d.frag.orphanedFragments, 1);
  assert.equal(d.frag.pending, 0);
});

test('reassembly-slot-is-reused-after-completion-via-release-pending', () => {
  const d = new Decoder({ reassembly: { maxDatagrams: 1 } });
  for (let id = 1; id <= 5; id++) {
    const [f1, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id });
    assert.deepEqual(run(d, [f1, f2]), ['Ok', 'Ok']);
    assert.equal(d.pkt.reassembled, true);
    assert.deepEqual(payloadOf(d.pkt), DATA);
  }
  assert.equal(d.frag.evicted, 0, 'each completed datagram freed its only slot on the next decode');
  assert.equal(d.frag.reassembled, 5);
  d.frag.releasePending();
  assert.equal(d.frag.pending, 0);
});

test('reassembly-expire-does-not-free-the-slot-the-current-packet-points-into', () => {
  const d = new Decoder({ reassembly: { timeoutMs: 1 } });
  const [f1, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]]);
  run(d, [f1, f2], 0);
  d.frag.expire(1_000_000);
  assert.equal(d.frag.timedOut, 0);
  assert.deepEqual(payloadOf(d.pkt), DATA);
});

test('reassembly-first-fragment-with-truncated-udp-header-drops-the-datagram', () => {
  const d = new Decoder();
  const [f1, f2, f3] = frags4(UDP_DGRAM, [[0, 8], [8, 496], [504, 504]]);
  const tiny = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 0x4242, mf: true }, UDP_DGRAM.subarray(0, 4)));
  assert.deepEqual(run(d, [f3, tiny]), ['FragmentHeld', 'Malformed:udp_truncated']);
  assert.equal(d.frag.orphanedFragments, 1);
  assert.equal(d.frag.pending, 0);
  assert.deepEqual(run(d, [f1, f2]), ['Ok', 'Ok']);
  assert.equal(d.pkt.reassembled, false);
});

test('reassembly-inside-gtp-uses-inner-addresses-and-keeps-the-tunnel', () => {
  const d = new Decoder();
  const inner = frags4(UDP_DGRAM, [[0, 504], [504, 504]]).map((f) => f.subarray(14));
  const outer = inner.map((ip) => eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(2152, 2152, gtpu({}, ip)))));
  assert.deepEqual(run(d, outer), ['Ok', 'Ok']);
  const p = d.pkt;
  assertFlow(p, FLOW4);
  assert.equal(p.tunnel, 1);
  assert.equal(p.reassembled, true);
  assert.deepEqual(payloadOf(p), DATA);
});

test('reassembly-first-fragments-truncated-at-every-offset', () => {
  sweepTruncation(1, frags4(UDP_DGRAM, [[0, 504], [504, 504]])[0]);
  sweepTruncation(1, frags6(UDP_DGRAM, [[0, 504], [504, 504]])[0]);
});

test('reassembly-does-not-complete-with-a-hole-when-bytes-lie-past-the-end', () => {
  const d = new Decoder();
  const l4 = UDP_DGRAM.subarray(0, 24); // a 24-byte datagram: blocks 0..2
  const f1 = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 77, mf: true, fragOffset: 0 }, l4.subarray(0, 8)));
  const stray = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 77, mf: true, fragOffset: 24 }, seqBytes(8, 0xa0)));
  const last = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 77, fragOffset: 16 }, l4.subarray(16, 24)));
  assert.deepEqual(run(d, [f1, stray, last]), ['Ok', 'Ok', 'Ok']);
  // Bytes 8..16 never arrived: the datagram is not whole.
  assert.equal(d.pkt.reassembled, false, `reassembled with a hole, payload ${payloadOf(d.pkt).toString('hex')}`);
  assert.equal(d.pkt.payloadLen, 0);
});

test('reassembly-ipv6-fragments-match-whatever-next-header-later-fragments-carry', () => {
  const d = new Decoder();
  const [f1, f2] = frags6(UDP_DGRAM, [[0, 504], [504, 504]], { nextOf: (i) => (i === 0 ? 17 : 59) });
  assert.deepEqual(run(d, [f1, f2]), ['Ok', 'Ok']);
  assert.equal(d.pkt.reassembled, true);
  assertFlow(d.pkt, FLOW6);
});

test('reassembly-snaplen-cut-middle-fragment-does-not-complete', () => {
  const d = new Decoder();
  const [f1, f2, f3] = frags4(UDP_DGRAM, [[0, 336], [336, 336], [672, 336]]);
  assert.deepEqual(run(d, [f1]), ['Ok']);
  // The middle fragment captured without its last 3 bytes (caplen < wireLen).
  assert.equal(outcome(d, decode(d, 1, f2, { caplen: f2.length - 3, wireLen: f2.length })), 'Ok');
  assert.equal(outcome(d, decode(d, 1, f3)), 'Ok');
  assert.equal(d.pkt.reassembled, false, 'bytes 669..672 of the datagram were never captured');
});

test('reassembly-oversized-fragment-does-not-evict-a-datagram-in-progress', () => {
  const d = new Decoder({ reassembly: { maxDatagrams: 1 } });
  const [, f2] = frags4(UDP_DGRAM, [[0, 504], [504, 504]], { id: 1 });
  assert.deepEqual(run(d, [f2]), ['FragmentHeld']);
  const big = eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 2, fragOffset: 65528 }, seqBytes(16)));
  assert.equal(outcome(d, decode(d, 1, big)), 'Malformed:fragment_too_large');
  assert.equal(d.frag.evicted, 0);
  assert.equal(d.frag.orphanedFragments, 0);
  assert.equal(d.frag.pending, 1, 'datagram 1 is still waiting for its first fragment');
});

test('reassembly-fragmented-tunnel-datagram-reports-the-inner-tcp-flags', () => {
  // A VXLAN datagram in two fragments: the first is counted on the outer UDP flow (tunnels are
  // opened on whole datagrams only); the completing one carries the inner TCP SYN/ACK.
  const d = new Decoder();
  const l4 = udp(51000, 4789, vxlan(1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 6 }, tcp({ sport: 51514, dport: 443, flags: 0x12 }, seqBytes(40))))));
  const fr = frags4(l4, [[0, 48], [48, l4.length - 48]], { src: T.a4, dst: T.b4 });
  assert.deepEqual(run(d, [fr[0]]), ['Ok']);
  assertFlow(d.pkt, { v: 4, src: T.a4, dst: T.b4, proto: 17, sport: 51000, dport: 4789 });
  assert.deepEqual(run(d, [fr[1]]), ['Ok']);
  assertFlow(d.pkt, { v: 4, src: A.c4, dst: A.s4, proto: 6, sport: 51514, dport: 443 });
  assert.equal(d.pkt.tunnel, 2);
  assert.equal(d.pkt.tcpFlags, 0x12);
});
