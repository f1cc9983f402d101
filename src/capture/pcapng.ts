/**
 * pcapng parser (draft-ietf-opsawg-pcapng): Section Header Blocks (each sets
 * the byte order of its section and starts a new interface list), Interface
 * Description Blocks (link type, snaplen, options if_tsresol and
 * if_tsoffset), Enhanced Packet Blocks, Simple Packet Blocks (interface 0,
 * no timestamp: they get the previous packet's time) and the obsolete Packet
 * Block. Every block's total length is checked (>= 12, a multiple of 4, equal
 * to the trailing copy). Ignored: all other block types (name resolution,
 * interface statistics, decryption secrets, custom ...), the section length,
 * packet block options and every other IDB option.
 */

import { CaptureError } from '../util/errors';
import { PCAP_MAX_CAPLEN } from './pcap';
import type { RecordParser } from './reader';
import type { PacketHandler, SourceStats } from './source';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 1;
export const BT_PB = 2;
export const BT_SPB = 3;
export const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Bytes needed to know any block's length: type, length and (for an SHB) the byte-order magic. */
const BLOCK_PEEK = 12;
/** Larger blocks are treated as corrupt (Wireshark's limit is similar). */
export const PCAPNG_MAX_BLOCK = 16 * 1024 * 1024;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** True if buf[off, off + 4) is a Section Header Block type (the pcapng file magic). */
export function isPcapngMagic(buf: Buffer, off: number): boolean {
  return buf[off] === 0x0a && buf[off + 1] === 0x0d && buf[off + 2] === 0x0d && buf[off + 3] === 0x0a;
}

function u32le(b: Buffer, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

function u32be(b: Buffer, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

function u32(b: Buffer, p: number, le: boolean): number {
  return le ? u32le(b, p) : u32be(b, p);
}

function u16(b: Buffer, p: number, le: boolean): number {
  return le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
}

export class PcapngParser implements RecordParser {
  want = BLOCK_PEEK;
  /** Number of sections seen so far. */
  sections = 0;
  private le = true;
  /** Per interface of the current section: link type, snaplen, max caplen, timestamp scaling. */
  readonly ifLinkType: number[] = [];
  readonly ifSnaplen: number[] = [];
  private readonly ifMaxCaplen: number[] = [];
  /** Timestamp units per millisecond. */
  private readonly ifUnitsPerMs: number[] = [];
  /** Milliseconds per 2^32 units. */
  private readonly ifMsPerHigh: number[] = [];
  /** if_tsoffset in milliseconds. */
  private readonly ifOffsetMs: number[] = [];
  private lastTsMs = 0;

  constructor(private readonly file: string, private readonly stats: SourceStats) {}

  parse(buf: Buffer, start: number, end: number, pos: number, handler: PacketHandler): number {
    let p = start;
    const stats = this.stats;
    for (;;) {
      const avail = end - p;
      if (avail < BLOCK_PEEK) {
        this.want = BLOCK_PEEK;
        break;
      }
      const le = this.le;
      const type = u32(buf, p, le);
      if (type === BT_SHB) {
        const len = this.sectionHeader(buf, p, avail, pos + (p - start));
        if (len > avail) {
          this.want = len;
          break;
        }
        p += len;
        continue;
      }
      if (this.sections === 0) {
        throw this.corrupt(pos + (p - start), 'the file does not start with a Section Header Block');
      }
      const len = u32(buf, p + 4, le);
      if (len < 12 || (len & 3) !== 0 || len > PCAPNG_MAX_BLOCK) {
        throw this.corrupt(pos + (p - start), `bad block total length ${len} (block type ${type})`);
      }
      if (avail < len) {
        this.want = len;
        break;
      }
      if (u32(buf, p + len - 4, le) !== len) {
        throw this.corrupt(pos + (p - start), `block trailing length ${u32(buf, p + len - 4, le)} differs from leading length ${len}`);
      }
      if (type === BT_EPB || type === BT_PB) {
        if (len < 32) throw this.corrupt(pos + (p - start), `packet block too short (${len} bytes)`);
        const id = type === BT_EPB ? u32(buf, p + 8, le) : u16(buf, p + 8, le);
        if (id >= this.ifLinkType.length) {
          throw this.corrupt(pos + (p - start), `packet block refers to interface ${id} but the section describes ${this.ifLinkType.length}`);
        }
        const hi = u32(buf, p + 12, le);
        const lo = u32(buf, p + 16, le);
        const cap = u32(buf, p + 20, le);
        let wire = u32(buf, p + 24, le);
        if (cap > len - 32) {
          throw this.corrupt(pos + (p - start), `captured length ${cap} does not fit in a ${len}-byte block`);
        }
        if (cap > this.ifMaxCaplen[id]) {
          throw this.corrupt(pos + (p - start), `captured length ${cap} exceeds the maximum ${this.ifMaxCaplen[id]}`);
        }
        const upm = this.ifUnitsPerMs[id];
        const ts =
          (hi < 0x200000 ? (hi * 4294967296 + lo) / upm : hi * this.ifMsPerHigh[id] + lo / upm) + this.ifOffsetMs[id];
        this.lastTsMs = ts;
        if (wire < cap) wire = cap;
        stats.packets++;
        stats.bytes += wire;
        handler.onPacket(this.ifLinkType[id], buf, p + 28, cap, wire, ts);
      } else if (type === BT_SPB) {
        if (len < 16) throw this.corrupt(pos + (p - start), `simple packet block too short (${len} bytes)`);
        if (this.ifLinkType.length === 0) {
          throw this.corrupt(pos + (p - start), 'simple packet block before any Interface Description Block');
        }
        const wire = u32(buf, p + 8, le);
        const snap = this.ifSnaplen[0];
        let cap = len - 16;
        if (wire < cap) cap = wire;
        if (snap !== 0 && snap < cap) cap = snap;
        if (cap > this.ifMaxCaplen[0]) {
          throw this.corrupt(pos + (p - start), `captured length ${cap} exceeds the maximum ${this.ifMaxCaplen[0]}`);
        }
        stats.packets++;
        stats.bytes += wire;
        handler.onPacket(this.ifLinkType[0], buf, p + 12, cap, wire, this.lastTsMs);
      } else if (type === BT_IDB) {
        this.interfaceDescription(buf, p, len, le, pos + (p - start));
      }
      p += len;
    }
    return p;
  }

  /** Checks an SHB whose first 12 bytes are present; returns its length, and applies it if it is all present. */
  private sectionHeader(buf: Buffer, p: number, avail: number, pos: number): number {
    let le: boolean;
    if (u32le(buf, p + 8) === BYTE_ORDER_MAGIC) le = true;
    else if (u32be(buf, p + 8) === BYTE_ORDER_MAGIC) le = false;
    else throw this.corrupt(pos, 'bad byte-order magic in Section Header Block');
    const len = u32(buf, p + 4, le);
    if (len < 28 || (len & 3) !== 0 || len > PCAPNG_MAX_BLOCK) {
      throw this.corrupt(pos, `bad Section Header Block length ${len}`);
    }
    if (avail < len) return len;
    if (u32(buf, p + len - 4, le) !== len) {
      throw this.corrupt(pos, `block trailing length ${u32(buf, p + len - 4, le)} differs from leading length ${len}`);
    }
    const major = u16(buf, p + 12, le);
    if (major !== 1) {
      throw new CaptureError('E_INPUT_FORMAT', this.file, pos, `unsupported pcapng version ${major}.${u16(buf, p + 14, le)}`);
    }
    this.le = le;
    this.sections++;
    this.ifLinkType.length = 0;
    this.ifSnaplen.length = 0;
    this.ifMaxCaplen.length = 0;
    this.ifUnitsPerMs.length = 0;
    this.ifMsPerHigh.length = 0;
    this.ifOffsetMs.length = 0;
    return len;
  }

  private interfaceDescription(buf: Buffer, p: number, len: number, le: boolean, pos: number): void {
    if (len < 20) throw this.corrupt(pos, `Interface Description Block too short (${len} bytes)`);
    const linkType = u16(buf, p + 8, le);
    const snaplen = u32(buf, p + 12, le);
    let unitsPerSec = 1e6;
    let offsetSec = 0;
    const optEnd = p + len - 4;
    let q = p + 16;
    while (q + 4 <= optEnd) {
      const code = u16(buf, q, le);
      const olen = u16(buf, q + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (q + 4 + olen > optEnd) throw this.corrupt(pos, `interface option ${code} overruns its block`);
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = buf[q + 4];
        unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = le ? buf.readInt32LE(q + 8) : buf.readInt32BE(q + 4);
        const lo = le ? u32le(buf, q + 4) : u32be(buf, q + 8);
        offsetSec = hi * 4294967296 + lo;
      }
      q += 4 + ((olen + 3) & ~3);
    }
    const unitsPerMs = unitsPerSec / 1000;
    this.ifLinkType.push(linkType);
    this.ifSnaplen.push(snaplen);
    this.ifMaxCaplen.push(Math.max(PCAP_MAX_CAPLEN, snaplen));
    this.ifUnitsPerMs.push(unitsPerMs);
    this.ifMsPerHigh.push(4294967296 / unitsPerMs);
    this.ifOffsetMs.push(offsetSec * 1000);
  }

  private corrupt(pos: number, detail: string): CaptureError {
    return new CaptureError('E_INPUT_CORRUPT', this.file, pos, detail);
  }
}
