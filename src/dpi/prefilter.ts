/**
 * The first-packet prefilter: the dissectors' declarations of what a flow's
 * first payload packet must look like for them (Dissector.tcpFirstBytes /
 * udpFirstBytes, tcpFirstPacket / udpFirstPacket), compiled per transport,
 * so that the engine excludes the dissectors the packet cannot belong to
 * without calling them.
 *
 * First bytes: one exclusion mask (a bitset over registry indexes) per byte
 * value, OR-ed into the flow's exclusions up front, as nearly every
 * dissector declares them. The other bytes and the length are checked only
 * for the dissectors the engine is about to call (allows()): an up-front
 * mask per offset would cost every flow sixteen table rows, while a flow's
 * first packet reaches only a few candidates once its first byte is known.
 * All that applies only to first packets of at least FIRST_BYTE_MIN_LEN
 * bytes, so every declared offset lies inside the payload. Shorter first
 * packets have their own masks per first byte, from FirstPacket.short.
 */
import type { Dissector, FirstBytes, FirstPacket } from './dissector';
import { On } from './dissector';

/** The 256 flags "byte b is listed" of a FirstBytes declaration. */
export function firstByteSet(list: FirstBytes): Uint8Array {
  const allowed = new Uint8Array(256);
  for (const r of list) {
    const [from, to] = typeof r === 'number' ? [r, r] : r;
    for (let b = from; b <= to; b++) allowed[b] = 1;
  }
  return allowed;
}

/** The per-offset constraints of one dissector on one transport: [offset, values], the first byte's included. */
export function declaredBytes(d: Dissector, on: number): (readonly [number, FirstBytes])[] {
  if ((d.on & on) === 0) return [];
  const first = on === On.Tcp ? d.tcpFirstBytes : d.udpFirstBytes;
  const packet = on === On.Tcp ? d.tcpFirstPacket : d.udpFirstPacket;
  const out: (readonly [number, FirstBytes])[] = [];
  if (first !== undefined) out.push([0, first]);
  for (const at of packet?.bytes ?? []) out.push(at);
  return out;
}

/** The declared first-packet description of one dissector on one transport, if any. */
function declaredPacket(d: Dissector, on: number): FirstPacket | undefined {
  if ((d.on & on) === 0) return undefined;
  return on === On.Tcp ? d.tcpFirstPacket : d.udpFirstPacket;
}

export class FirstPacketFilter {
  /** Words of the exclusion bitset (one bit per dissector). */
  readonly words: number;
  /** Mask of first byte value b at b * words: the dissectors whose first bytes leave b out. */
  readonly firstMasks: Uint32Array;
  /** The same for short first packets: the dissectors whose FirstPacket.short leaves b out. */
  readonly shortMasks: Uint32Array;
  /** 1 for the dissectors with byte rules past the first byte or length bounds. */
  readonly ruled: Uint8Array;
  /** Dissector i's byte rules are r in [ruleStart[i], ruleStart[i + 1]): offset ruleOffset[r], allowed values as 8 words at r * 8. */
  readonly ruleStart: Int32Array;
  readonly ruleOffset: Uint8Array;
  readonly ruleValues: Uint32Array;
  /** Inclusive length bounds per dissector. */
  readonly minLen: Int32Array;
  readonly maxLen: Int32Array;

  /** Compiles the declarations for transport `on` (On.Tcp or On.Udp) of the dissectors in registry order. */
  constructor(list: readonly Dissector[], on: number) {
    const words = (list.length + 31) >>> 5;
    this.words = words;
    this.firstMasks = new Uint32Array(256 * words);
    this.shortMasks = new Uint32Array(256 * words);
    this.ruled = new Uint8Array(list.length);
    this.ruleStart = new Int32Array(list.length + 1);
    this.minLen = new Int32Array(list.length);
    this.maxLen = new Int32Array(list.length).fill(0x7fffffff);
    const offsets: number[] = [];
    const values: Uint8Array[] = [];
    list.forEach((d, i) => {
      this.ruleStart[i] = offsets.length;
      for (const [o, declared] of declaredBytes(d, on)) {
        const allowed = firstByteSet(declared);
        if (o === 0) leaveOut(this.firstMasks, words, i, allowed);
        else {
          offsets.push(o);
          values.push(allowed);
        }
      }
      const p = declaredPacket(d, on);
      if (p?.short !== undefined) leaveOut(this.shortMasks, words, i, firstByteSet(p.short));
      this.minLen[i] = p?.minLen ?? 0;
      this.maxLen[i] = p?.maxLen ?? 0x7fffffff;
      this.ruled[i] = offsets.length > this.ruleStart[i] || p?.minLen !== undefined || p?.maxLen !== undefined ? 1 : 0;
    });
    this.ruleStart[list.length] = offsets.length;
    this.ruleOffset = Uint8Array.from(offsets);
    this.ruleValues = new Uint32Array(offsets.length * 8);
    values.forEach((allowed, r) => {
      for (let b = 0; b < 256; b++) if (allowed[b] === 1) this.ruleValues[r * 8 + (b >>> 5)] |= 1 << (b & 31);
    });
  }

  /** Sets in ex the bit of every dissector whose first bytes leave out b, the first byte of a first packet. */
  excludeByFirstByte(ex: Uint32Array, b: number): void {
    orRow(ex, this.firstMasks, this.words, b);
  }

  /** The same for b, the first byte of a short first packet (1 to FIRST_BYTE_MIN_LEN - 1 bytes). */
  excludeShortByFirstByte(ex: Uint32Array, b: number): void {
    orRow(ex, this.shortMasks, this.words, b);
  }

  /** False when dissector i's rules (ruled[i] === 1) rule out the first packet buf[off, off + len), len >= FIRST_BYTE_MIN_LEN. */
  allows(i: number, buf: Uint8Array, off: number, len: number): boolean {
    if (len < this.minLen[i] || len > this.maxLen[i]) return false;
    const end = this.ruleStart[i + 1];
    for (let r = this.ruleStart[i]; r < end; r++) {
      const b = buf[off + this.ruleOffset[r]];
      if ((this.ruleValues[(r << 3) | (b >>> 5)] & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

/** Sets dissector i's bit in the mask row of every byte value `allowed` leaves out. */
function leaveOut(masks: Uint32Array, words: number, i: number, allowed: Uint8Array): void {
  for (let b = 0; b < 256; b++) if (allowed[b] === 0) masks[b * words + (i >>> 5)] |= 1 << (i & 31);
}

/** ex |= the mask row of byte value b. */
function orRow(ex: Uint32Array, masks: Uint32Array, words: number, b: number): void {
  const base = b * words;
  for (let w = 0; w < words; w++) ex[w] |= masks[base + w];
}
