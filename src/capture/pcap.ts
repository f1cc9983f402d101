/**
 * Classic pcap savefile parser (pcap-savefile(5), draft-ietf-opsawg-pcap):
 * the 24-byte file header and 16-byte record headers, in either byte order,
 * with microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps.
 * The link type is the low 16 bits of the header's LinkType field. Like
 * libpcap, files of version 2.0-2.2 have caplen and len swapped, and 2.3
 * files have them swapped when caplen > len. Ignored: the FCS bits of the
 * LinkType field, thiszone and sigfigs. The "modified" (0xa1b2cd34) and other
 * non-standard variants are not read.
 */

import { CaptureError } from '../util/errors';
import type { RecordParser } from './reader';
import type { PacketHandler, SourceStats } from './source';

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** libpcap's MAXIMUM_SNAPLEN: a larger caplen is corrupt unless the header's snaplen allows it. */
export const PCAP_MAX_CAPLEN = 262144;
/** Upper bound on any record, whatever the header's snaplen says. */
export const PCAP_MAX_RECORD = 16 * 1024 * 1024;

/** True if buf[off, off + 4) is one of the four classic pcap magics. */
export function isPcapMagic(buf: Buffer, off: number): boolean {
  const a = buf[off], b = buf[off + 1], c = buf[off + 2], d = buf[off + 3];
  if (a === 0xd4 && b === 0xc3 && c === 0xb2 && d === 0xa1) return true;
  if (a === 0x4d && b === 0x3c && c === 0xb2 && d === 0xa1) return true;
  if (a === 0xa1 && b === 0xb2 && ((c === 0xc3 && d === 0xd4) || (c === 0x3c && d === 0x4d))) return true;
  return false;
}

function u32le(b: Buffer, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

function u32be(b: Buffer, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

export class PcapParser implements RecordParser {
  want = PCAP_FILE_HEADER_LEN;
  /** The header's link type, once the file header has been read (-1 before). */
  linkType = -1;
  snaplen = 0;
  nanosecond = false;
  littleEndian = true;
  private fracPerMs = 1000;
  private maxCaplen = PCAP_MAX_CAPLEN;
  /** Old versions' record headers have len before caplen: 0 never, 1 always, 2 when caplen > len. */
  private lengthsSwapped = 0;

  constructor(private readonly file: string, private readonly stats: SourceStats) {}

  parse(buf: Buffer, start: number, end: number, pos: number, handler: PacketHandler): number {
    let p = start;
    if (this.linkType < 0) {
      if (end - p < PCAP_FILE_HEADER_LEN) {
        this.want = PCAP_FILE_HEADER_LEN;
        return p;
      }
      this.fileHeader(buf, p, pos);
      p += PCAP_FILE_HEADER_LEN;
    }
    const le = this.littleEndian;
    const lt = this.linkType;
    const fracPerMs = this.fracPerMs;
    const maxCaplen = this.maxCaplen;
    const swapped = this.lengthsSwapped;
    const stats = this.stats;
    for (;;) {
      const avail = end - p;
      if (avail < PCAP_RECORD_HEADER_LEN) {
        this.want = PCAP_RECORD_HEADER_LEN;
        break;
      }
      let sec: number, frac: number, cap: number, wire: number;
      if (le) {
        sec = u32le(buf, p);
        frac = u32le(buf, p + 4);
        cap = u32le(buf, p + 8);
        wire = u32le(buf, p + 12);
      } else {
        sec = u32be(buf, p);
        frac = u32be(buf, p + 4);
        cap = u32be(buf, p + 8);
        wire = u32be(buf, p + 12);
      }
      if (swapped !== 0 && (swapped === 1 || cap > wire)) {
        const t = cap;
        cap = wire;
        wire = t;
      }
      if (cap > maxCaplen) {
        throw new CaptureError('E_INPUT_CORRUPT', this.file, pos + (p - start), `record captured length ${cap} exceeds the maximum ${maxCaplen}`);
      }
      const len = PCAP_RECORD_HEADER_LEN + cap;
      if (avail < len) {
        this.want = len;
        break;
      }
      if (wire < cap) wire = cap;
      stats.packets++;
      stats.bytes += wire;
      handler.onPacket(lt, buf, p + PCAP_RECORD_HEADER_LEN, cap, wire, sec * 1000 + frac / fracPerMs);
      p += len;
    }
    return p;
  }

  private fileHeader(buf: Buffer, p: number, pos: number): void {
    if (!isPcapMagic(buf, p)) {
      throw new CaptureError('E_INPUT_FORMAT', this.file, pos, 'not a pcap file (bad magic number)');
    }
    this.littleEndian = buf[p] !== 0xa1;
    this.nanosecond = buf[p] === 0x4d || buf[p + 3] === 0x4d;
    this.fracPerMs = this.nanosecond ? 1e6 : 1000;
    const u16 = this.littleEndian ? buf.readUInt16LE.bind(buf) : buf.readUInt16BE.bind(buf);
    const u32 = this.littleEndian ? u32le : u32be;
    const major = u16(p + 4);
    const minor = u16(p + 6);
    if (major === 2) this.lengthsSwapped = minor < 3 ? 1 : minor === 3 ? 2 : 0;
    else if (major === 543) this.lengthsSwapped = 1;
    else throw new CaptureError('E_INPUT_FORMAT', this.file, pos, `unsupported pcap version ${major}.${minor}`);
    this.snaplen = u32(buf, p + 16);
    this.maxCaplen = Math.min(Math.max(PCAP_MAX_CAPLEN, this.snaplen), PCAP_MAX_RECORD);
    this.linkType = u32(buf, p + 20) & 0xffff;
  }
}
