/**
 * Time-limited fuzzing of the decoding stage (~3 s in total): random bytes,
 * mutated fixtures (bit flips, byte changes, truncations, insertions,
 * deletions, splices) and a random-fragment storm, then mutated frames from
 * real pcaps of the nDPI corpus, through every supported link type and a few
 * unsupported ones, at random buffer offsets and wire lengths, with tunnels
 * on and off and a tiny reassembler. Each decode must not throw, must return
 * a DecodeResult, must keep its payload view inside the buffer (and inside the
 * captured bytes unless reassembled), and each decoder's counters must add up
 * (ok + notIp + unsupported + held + malformed = calls). A shadow decoder sees
 * every frame with the bytes around it inverted and must produce the same
 * snapshot (no reads outside the captured bytes). The seed is printed
 * as a diagnostic; FUZZ_SEED=<n> replays a run.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { A, catalog, checkInvariants, CORPUS, eth, frag6, ipv4, ipv6, R, readPcap, snapshot } from './frames';

const SUPPORTED = [0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 127, 192, 228, 229, 276];
const UNSUPPORTED = [147, 2, 3, 65535];
const ALL = [...SUPPORTED, ...UNSUPPORTED];

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Harness {
  /** The last one shadows the first with the bytes around the frame inverted: their results must match (no reads past caplen). */
  readonly decoders: Decoder[] = [new Decoder(), new Decoder({ tunnels: false }), new Decoder({ reassembly: { maxDatagrams: 4, timeoutMs: 50 } }), new Decoder()];
  readonly counts = this.decoders.map(() => ({ calls: 0, ok: 0, notIp: 0, unsupported: 0, held: 0, malformed: 0 }));
  ts = 0;
  lastResult = 0;
  constructor(readonly rand: () => number, readonly label: string) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  /** Decodes `frame` as `linkType` with every decoder, placed at a random offset with random bytes around it. */
  run(linkType: number, frame: Buffer): void {
    const off = this.int(4) === 0 ? 0 : this.int(24);
    const tail = this.int(32);
    const buf = Buffer.allocUnsafe(off + frame.length + tail);
    for (let i = 0; i < buf.length; i++) buf[i] = this.int(256);
    frame.copy(buf, off);
    const alt = Buffer.from(buf);
    for (let i = 0; i < alt.length; i++) if (i < off || i >= off + frame.length) alt[i] ^= 0xff;
    const caplen = frame.length;
    const wireLen = this.int(3) === 0 ? caplen + this.int(2000) : caplen;
    this.ts += this.int(20);
    const expireNow = this.int(64) === 0;
    const last = this.decoders.length - 1;
    for (let k = 0; k < this.decoders.length; k++) {
      const d = this.decoders[k];
      const c = this.counts[k];
      const b = k === last ? alt : buf;
      let r: number;
      try {
        r = d.decode(linkType, b, off, caplen, wireLen, this.ts);
      } catch (err) {
        assert.fail(`${this.label} seed ${SEED}: decode threw on link ${linkType} frame ${frame.toString('hex')} (off ${off}, wireLen ${wireLen}, decoder ${k}): ${(err as Error).stack}`);
      }
      checkInvariants(d, r, b, off, caplen, `${this.label} seed ${SEED} link ${linkType} decoder ${k} frame ${frame.toString('hex')}`);
      if (k === last) {
        assert.deepEqual(snapshot(d.pkt, r), snapshot(this.decoders[0].pkt, this.lastResult), `${this.label} seed ${SEED}: result depends on bytes outside the frame, link ${linkType} frame ${frame.toString('hex')} off ${off} wireLen ${wireLen}`);
      }
      if (k === 0) this.lastResult = r;
      c.calls++;
      if (r === R.Ok) c.ok++;
      else if (r === R.NotIp) c.notIp++;
      else if (r === R.UnsupportedLink) c.unsupported++;
      else if (r === R.FragmentHeld) c.held++;
      else if (r === R.Malformed) c.malformed++;
      if (expireNow) d.frag.expire(this.ts);
    }
  }

  checkCounters(): number {
    let calls = 0;
    this.decoders.forEach((d, k) => {
      const c = this.counts[k];
      assert.equal(c.ok + c.notIp + c.unsupported + c.held + c.malformed, c.calls, `${this.label} seed ${SEED}: results do not add up`);
      assert.equal(d.nonIp, c.notIp, `${this.label} seed ${SEED}: decoder.nonIp`);
      let unsup = 0;
      for (const v of d.unsupportedLink.values()) unsup += v;
      assert.equal(unsup, c.unsupported, `${this.label} seed ${SEED}: decoder.unsupportedLink`);
      assert.equal(d.malformedTotal(), c.malformed, `${this.label} seed ${SEED}: decoder.malformedTotal()`);
      assert.equal(d.malformed[0], 0, `${this.label} seed ${SEED}: Malformed results without a reason`);
      assert.ok(d.frag.pending <= d.frag.maxDatagrams);
      calls += c.calls;
    });
    return calls;
  }

  /** One random mutation of `src`. */
  mutate(src: Buffer): Buffer {
    let b = Buffer.from(src);
    const n = 1 + this.int(4);
    for (let m = 0; m < n; m++) {
      const len = b.length;
      switch (this.int(8)) {
        case 0: // bit flips
          for (let i = 0, k = 1 + this.int(8); i < k && len > 0; i++) b[this.int(len)] ^= 1 << this.int(8);
          break;
        case 1: // random bytes
          for (let i = 0, k = 1 + this.int(4); i < k && len > 0; i++) b[this.int(len)] = this.int(256);
          break;
        case 2: // interesting values (lengths, flags)
          if (len > 1) {
            const i = this.int(len - 1);
            const v = [0x0000, 0xffff, 0x0001, 0x8000, 0x7fff, 0x0014, 0x0800, 0x86dd, 0x2000, 0x3fff][this.int(10)];
            b[i] = v >> 8;
            b[i + 1] = v & 0xff;
          }
          break;
        case 3: // truncation
          b = b.subarray(0, this.int(len + 1));
          break;
        case 4: { // insertion
          const at = this.int(len + 1);
          const ins = Buffer.from(Array.from({ length: 1 + this.int(8) }, () => this.int(256)));
          b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
          break;
        }
        case 5: { // deletion
          const at = this.int(len + 1);
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(len, at + 1 + this.int(8)))]);
          break;
        }
        case 6: { // duplicate a chunk
          const at = this.int(len + 1);
          const chunk = b.subarray(at, at + 1 + this.int(16));
          b = Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]);
          break;
        }
        default: // zero a run
          if (len > 0) { const s = this.int(len); b.fill(0, s, Math.min(len, s + this.int(6))); }
          break;
      }
    }
    return b;
  }
}

function until(ms: number, body: () => void): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 64; i++) body();
    n += 64;
  }
  return n;
}

test('fuzz-random-bytes-through-every-link-type', (t) => {
  t.diagnostic(`seed ${SEED}`);
  const h = new Harness(rng(SEED), 'random');
  until(600, () => {
    const len = h.int(4) === 0 ? h.int(16) : h.int(200);
    const b = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) b[i] = h.int(256);
    // Plausible first bytes now and then, so deeper layers are reached.
    if (len > 0 && h.int(3) === 0) b[0] = [0x45, 0x60, 0xff, 0x0f, 0x88, 0x00][h.int(6)];
    h.run(ALL[h.int(ALL.length)], b);
  });
  t.diagnostic(`${h.checkCounters()} decodes`);
});

test('fuzz-mutated-fixtures-and-fragment-storm', (t) => {
  t.diagnostic(`seed ${SEED}`);
  const h = new Harness(rng(SEED ^ 0x9e3779b9), 'fixtures');
  const fixtures = catalog();
  until(1400, () => {
    const r = h.int(10);
    if (r === 0) {
      // A random fragment of one of a few datagrams (random offsets, lengths, MF, versions).
      const v6 = h.int(2) === 0;
      const off = h.int(4) === 0 ? 0 : h.int(8200) * 8;
      const data = Buffer.alloc(h.int(64) * 8 + h.int(9), h.int(256));
      const id = h.int(3);
      const more = h.int(3) !== 0;
      const f = v6
        ? eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6([17, 6, 58, 0][h.int(4)], off & 0xfff8, more, id, data)))
        : eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: [17, 6, 1, 47][h.int(4)], id, mf: more, fragOffset: Math.min(off, 65528) }, data));
      h.run(1, h.int(2) === 0 ? f : h.mutate(f));
      return;
    }
    const e = fixtures[h.int(fixtures.length)];
    const frame = h.mutate(e.frame);
    h.run(h.int(8) === 0 ? ALL[h.int(ALL.length)] : e.linkType, frame);
  });
  t.diagnostic(`${h.checkCounters()} decodes`);
});

const CORPUS_FILES = [
  'vxlan.pcap', 'capwap.pcap', '6in4tunnel.pcap', '4in6tunnel.pcap', 'ipv6_in_gtp.pcap', 'dns_fragmented.pcap', 'smb_frags.pcap',
  'dlt_ppp.pcap', 'BGP_Cisco_hdlc_slarp.pcap', 'nats.pcap', 'someip_sd_sample.pcap', 'bjnp.pcap', 'rtcp_multiple_pkts_in_the_same_datagram.pcap', 'KakaoTalk_chat.pcap',
];

test('fuzz-mutated-corpus-frames', (t) => {
  const files = CORPUS_FILES.map((f) => join(CORPUS, f)).filter((p) => existsSync(p));
  if (files.length === 0) {
    t.skip(`no corpus under ${CORPUS}`);
    return;
  }
  t.diagnostic(`seed ${SEED}, ${files.length} pcaps`);
  const h = new Harness(rng(SEED ^ 0x85ebca6b), 'corpus');
  const frames: Array<[number, Buffer]> = [];
  for (const f of files) {
    const { linkType, frames: fr } = readPcap(f);
    for (const x of fr) frames.push([linkType, x.data]);
  }
  // Every frame as captured first, then mutations.
  for (const [lt, b] of frames) h.run(lt, b);
  until(900, () => {
    const [lt, b] = frames[h.int(frames.length)];
    h.run(h.int(10) === 0 ? ALL[h.int(ALL.length)] : lt, h.mutate(b));
  });
  t.diagnostic(`${frames.length} corpus frames, ${h.checkCounters()} decodes`);
});
