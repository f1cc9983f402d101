/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200, 4.5) fragment reassembly with bounded
 * memory and time. Fragments are matched by (version, addresses, protocol,
 * identification); data is copied into one of a fixed number of pooled
 * 64 KiB buffers and coverage is tracked per 8-byte block, so overlapping and
 * out-of-order fragments are handled (a later fragment's bytes win).
 *
 * Counting: every fragment is counted on its flow. The first fragment gives
 * the ports; later fragments arriving before it are held (counted with it when
 * it arrives). Payload is handed to DPI only once the whole datagram is there:
 * the fragment that completes it carries the reassembled payload.
 *
 * A datagram that is itself a tunnel packet (fragmented GTP-U, VXLAN ...) is
 * opened only when whole: its first fragments count on the outer flow, the
 * completing one on the inner flow.
 *
 * Limits: at most `maxDatagrams` in progress (the oldest is dropped when full),
 * each at most 65,535 bytes, each given up after `timeoutMs` on the packet
 * clock (RFC 8200 suggests 60 s; Linux uses 30 s). Fragments that never found
 * their first fragment are counted as orphaned.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodeIpPayload } from './transport';
import { walkIpv6Extensions } from './ipv6';

export interface ReassemblyOptions {
  maxDatagrams?: number;
  timeoutMs?: number;
}

const MAX_DATAGRAM = 65535;
const BLOCKS = (MAX_DATAGRAM + 7) >> 3;
const BITMAP_BYTES = (BLOCKS + 7) >> 3;

export class FragmentReassembler {
  readonly maxDatagrams: number;
  readonly timeoutMs: number;
  /** Datagrams completed. */
  reassembled = 0;
  /** Datagrams given up after the timeout. */
  timedOut = 0;
  /** Datagrams dropped because all slots were busy. */
  evicted = 0;
  /** Fragments that were never attributed to a flow (their first fragment never came). */
  orphanedFragments = 0;

  private readonly active: Uint8Array;
  private readonly keyAddr: Int32Array;
  private readonly keyId: Float64Array;
  private readonly keyMeta: Int32Array;
  private readonly firstMs: Float64Array;
  private readonly total: Int32Array;
  private readonly bitmap: Uint8Array;
  private readonly haveFirst: Uint8Array;
  private readonly l4Proto: Uint8Array;
  /** Next header / protocol of the offset-0 fragment (what the reassembled datagram is decoded as). */
  private readonly firstProto: Uint8Array;
  private readonly sport: Uint16Array;
  private readonly dport: Uint16Array;
  private readonly heldFrames: Float64Array;
  private readonly heldBytes: Float64Array;
  private readonly buffers: (Buffer | undefined)[];
  private inUse = 0;
  private pendingRelease = -1;

  constructor(opts: ReassemblyOptions = {}) {
    const n = (this.maxDatagrams = Math.max(1, opts.maxDatagrams ?? 256));
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.active = new Uint8Array(n);
    this.keyAddr = new Int32Array(n * 8);
    this.keyId = new Float64Array(n);
    this.keyMeta = new Int32Array(n);
    this.firstMs = new Float64Array(n);
    this.total = new Int32Array(n);
    this.bitmap = new Uint8Array(n * BITMAP_BYTES);
    this.haveFirst = new Uint8Array(n);
    this.l4Proto = new Uint8Array(n);
    this.firstProto = new Uint8Array(n);
    this.sport = new Uint16Array(n);
    this.dport = new Uint16Array(n);
    this.heldFrames = new Float64Array(n);
    this.heldBytes = new Float64Array(n);
    this.buffers = new Array<Buffer | undefined>(n).fill(undefined);
  }

  /** Datagrams currently in progress. */
  get pending(): number {
    return this.inUse;
  }

  /** Frees the slot whose reassembled payload the previous packet pointed into. */
  releasePending(): void {
    if (this.pendingRelease >= 0) {
      this.release(this.pendingRelease);
      this.pendingRelease = -1;
    }
  }

  /**
   * Adds one fragment whose IP header fields the decoder has already put in
   * d.pkt. The fragment's data is buf[dataOff, dataEnd) as captured;
   * declaredEnd is where its IP header says it ends (beyond dataEnd when the
   * capture cut it short: those bytes are missing, not covered).
   */
  add(d: Decoder, version: number, id: number, proto: number, fragOffset: number, more: boolean, buf: Buffer, dataOff: number, dataEnd: number, declaredEnd: number): DecodeResult {
    const p = d.pkt;
    p.fragment = true;
    const len = dataEnd - dataOff;
    const declaredLen = declaredEnd > dataEnd ? declaredEnd - dataOff : len;
    // IPv4 fragments belong together by protocol too (RFC 791); IPv6 ones only by id (RFC 8200, 4.5).
    const keyProto = version === 6 ? 0 : proto;
    let s = this.find(version, id, keyProto, p.addr);
    if (fragOffset + declaredLen > MAX_DATAGRAM) {
      // An oversized datagram (ping of death) is dropped with what was held of it; no slot is taken for it.
      if (s >= 0) {
        this.orphanedFragments += this.heldFrames[s];
        this.release(s);
      }
      return d.fail(Malformed.FragmentTooLarge);
    }
    if (s < 0) s = this.open(version, id, keyProto, p.addr, p.tsMs);
    let sb = this.buffers[s];
    if (sb === undefined) sb = this.buffers[s] = Buffer.allocUnsafe(MAX_DATAGRAM);
    for (let i = 0; i < len; i++) sb[fragOffset + i] = buf[dataOff + i];
    if (!more && this.total[s] < 0) this.total[s] = fragOffset + declaredLen;
    this.mark(s, fragOffset, fragOffset + len, !more);
    if (fragOffset === 0) this.firstProto[s] = proto;
    const total = this.total[s];
    const complete = total >= 0 && this.coveredBelow(s, total);

    if (fragOffset === 0) {
      d.inFragment = true;
      const r = version === 6 ? walkIpv6Extensions(d, proto, buf, dataOff, dataEnd) : decodeIpPayload(d, proto, buf, dataOff, dataEnd);
      d.inFragment = false;
      if (r !== DecodeResult.Ok) {
        this.orphanedFragments += this.heldFrames[s];
        this.release(s);
        return r;
      }
      this.haveFirst[s] = 1;
      this.l4Proto[s] = p.proto;
      this.sport[s] = p.srcPort;
      this.dport[s] = p.dstPort;
      p.frames = 1 + this.heldFrames[s];
      p.frameBytes = p.wireLen + this.heldBytes[s];
      this.heldFrames[s] = 0;
      this.heldBytes[s] = 0;
    } else if (this.haveFirst[s] === 1) {
      p.proto = this.l4Proto[s];
      p.srcPort = this.sport[s];
      p.dstPort = this.dport[s];
      p.tcpFlags = 0;
    } else {
      this.heldFrames[s]++;
      this.heldBytes[s] += p.wireLen;
      return DecodeResult.FragmentHeld;
    }
    p.payloadLen = 0;
    if (!complete) return DecodeResult.Ok;

    this.reassembled++;
    this.pendingRelease = s;
    const frames = p.frames;
    const frameBytes = p.frameBytes;
    const depth = p.depth;
    p.buf = sb;
    p.reassembled = true;
    const first = this.firstProto[s];
    const r = version === 6 ? walkIpv6Extensions(d, first, sb, 0, total) : decodeIpPayload(d, first, sb, 0, total);
    p.frames = frames;
    p.frameBytes = frameBytes;
    // TCP flags were counted with the first fragment, unless the whole datagram opened a tunnel (a new inner header).
    if (fragOffset !== 0 && p.depth === depth) p.tcpFlags = 0;
    return r;
  }

  /** Gives up datagrams older than the timeout at packet time `nowMs`. */
  expire(nowMs: number): void {
    if (this.inUse === 0) return;
    const limit = nowMs - this.timeoutMs;
    for (let s = 0; s < this.maxDatagrams; s++) {
      if (this.active[s] === 1 && s !== this.pendingRelease && this.firstMs[s] < limit) {
        this.timedOut++;
        this.orphanedFragments += this.heldFrames[s];
        this.release(s);
      }
    }
  }

  private find(version: number, id: number, proto: number, addr: Int32Array): number {
    if (this.inUse === 0) return -1;
    const meta = (version << 8) | proto;
    const ka = this.keyAddr;
    for (let s = 0; s < this.maxDatagrams; s++) {
      if (this.active[s] === 0 || this.keyId[s] !== id || this.keyMeta[s] !== meta) continue;
      const b = s << 3;
      if (ka[b] === addr[0] && ka[b + 1] === addr[1] && ka[b + 2] === addr[2] && ka[b + 3] === addr[3] &&
          ka[b + 4] === addr[4] && ka[b + 5] === addr[5] && ka[b + 6] === addr[6] && ka[b + 7] === addr[7]) return s;
    }
    return -1;
  }

  private open(version: number, id: number, proto: number, addr: Int32Array, tsMs: number): number {
    let s = -1;
    if (this.inUse < this.maxDatagrams) {
      for (let i = 0; i < this.maxDatagrams; i++) if (this.active[i] === 0) { s = i; break; }
    } else {
      let oldest = Infinity;
      for (let i = 0; i < this.maxDatagrams; i++) {
        if (i !== this.pendingRelease && this.firstMs[i] < oldest) { oldest = this.firstMs[i]; s = i; }
      }
      this.evicted++;
      this.orphanedFragments += this.heldFrames[s];
      this.release(s);
    }
    this.active[s] = 1;
    this.inUse++;
    this.keyAddr.set(addr, s << 3);
    this.keyId[s] = id;
    this.keyMeta[s] = (version << 8) | proto;
    this.firstMs[s] = tsMs;
    this.total[s] = -1;
    this.haveFirst[s] = 0;
    this.heldFrames[s] = 0;
    this.heldBytes[s] = 0;
    return s;
  }

  /**
   * Marks the 8-byte blocks that [from, to) fills. A partial last block
   * counts only for the final fragment (whose end is the datagram's end);
   * in any other fragment it means bytes are missing.
   */
  private mark(s: number, from: number, to: number, final: boolean): void {
    const bm = this.bitmap;
    const base = s * BITMAP_BYTES;
    const last = final ? (to + 7) >> 3 : to >> 3;
    for (let b = from >> 3; b < last; b++) bm[base + (b >> 3)] |= 1 << (b & 7);
  }

  /** Whether every block of [0, total) has been received. */
  private coveredBelow(s: number, total: number): boolean {
    const bm = this.bitmap;
    const base = s * BITMAP_BYTES;
    const blocks = (total + 7) >> 3;
    const full = blocks >> 3;
    for (let i = 0; i < full; i++) if (bm[base + i] !== 0xff) return false;
    const rest = blocks & 7;
    return rest === 0 || (bm[base + full] & ((1 << rest) - 1)) === (1 << rest) - 1;
  }

  private release(s: number): void {
    if (this.active[s] === 0) return;
    this.active[s] = 0;
    this.inUse--;
    this.bitmap.fill(0, s * BITMAP_BYTES, (s + 1) * BITMAP_BYTES);
  }
}
