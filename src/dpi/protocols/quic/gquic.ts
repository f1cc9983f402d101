/**
 * Google QUIC before TLS ("QUIC Crypto"): packet headers that carry the
 * handshake in clear, and the handshake message itself.
 *  - Public header (Q024..Q043, "QUIC Wire Layout Specification"): public
 *    flags (0x01 version present, 0x08 8-byte connection ID, 0x30 packet
 *    number length code, 0x80 must be 0), connection ID, version tag,
 *    packet number, then a 12-byte message authentication hash (FNV-1a
 *    128 truncated) and, before Q034, a private flags byte.
 *  - Q046 header: IETF-like long header (0xc3: 4-byte packet number)
 *    with both connection ID lengths in one byte (0x50: 8-byte DCID, no
 *    SCID), then the 12-byte hash.
 *  - Handshake messages ("QUIC Crypto" design doc): a 4-byte tag (CHLO,
 *    REJ, SHLO), uint16 LE tag count, 2 bytes padding, then per tag a
 *    4-byte tag and the uint32 LE end offset of its value; values follow
 *    the table. SNI carries the host name, UAID the user agent.
 * Ignores: everything past the client hello, source-address tokens,
 * certificates, and server-side frames other than the REJ message start.
 */
import { be32 } from '../../bytes';

/** Largest tag count accepted in a handshake message. */
const MAX_TAGS = 128;

const TAG_SNI = 0x534e4900;
const TAG_UAID = 0x55414944;
const MSG_CHLO = 0x43484c4f;
const MSG_REJ = 0x52454a00;

/** Where the frames of a client packet with a public header start, or -1 (public flags at off). */
export function oldHeaderPayload(buf: Uint8Array, off: number, end: number, version: number): number {
  const flags = buf[off];
  const pnLen = [1, 2, 4, 6][(flags >> 4) & 3];
  let p = off + 1 + 8 + 4 + pnLen + 12;
  if ((version & 0xff) - 0x30 + (((version >>> 8) & 0xff) - 0x30) * 10 < 34) p++;
  return p <= end ? p : -1;
}

/** Where the frames of a Q046 packet start, or -1. */
export function q046Payload(buf: Uint8Array, off: number, end: number): number {
  const p = off + 1 + 4 + 1 + 8 + 4 + 12;
  return buf[off + 5] === 0x50 && p <= end ? p : -1;
}

/** Total length of a CHLO whose first bytes are b[0, have), or -1 while the tag table is incomplete, -2 when not a CHLO. */
export function chloLength(b: Uint8Array, have: number): number {
  if (have < 8) return -1;
  if (be32(b, 0) !== MSG_CHLO) return -2;
  const n = b[4] | (b[5] << 8);
  if (n === 0 || n > MAX_TAGS) return -2;
  const table = 8 + 8 * n;
  if (have < table) return -1;
  const last = (b[table - 4] | (b[table - 3] << 8) | (b[table - 2] << 16) | (b[table - 1] << 24)) >>> 0;
  return last > 65536 ? -2 : table + last;
}

export interface Chlo {
  sni: string;
  uaid: string;
}

/** Reads SNI and UAID from a complete CHLO in b[0, len). Tags whose offsets go backwards end the walk. */
export function parseChlo(b: Buffer, len: number): Chlo {
  const out: Chlo = { sni: '', uaid: '' };
  const n = b[4] | (b[5] << 8);
  const base = 8 + 8 * n;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const e = 8 + 8 * i;
    if (e + 8 > len) break;
    const tag = be32(b, e);
    const endOff = (b[e + 4] | (b[e + 5] << 8) | (b[e + 6] << 16) | (b[e + 7] << 24)) >>> 0;
    if (endOff < prev || base + endOff > len) break;
    if (tag === TAG_SNI) out.sni = b.toString('latin1', base + prev, base + endOff).toLowerCase();
    else if (tag === TAG_UAID) out.uaid = b.toString('latin1', base + prev, base + endOff);
    prev = endOff;
  }
  return out;
}

/**
 * A server packet with a public header and no version (flags 0x08 plus a
 * packet number length code) whose first frame, right after the 12-byte
 * hash, is a stream frame carrying a REJ message: the server's answer to
 * an inchoate CHLO. Checks the REJ tag and a sane tag count.
 */
export function isRej(buf: Uint8Array, off: number, end: number): boolean {
  const flags = buf[off];
  if ((flags & 0xc9) !== 0x08) return false;
  const pnLen = [1, 2, 4, 6][(flags >> 4) & 3];
  const from = off + 1 + 8 + pnLen + 12;
  const to = Math.min(end - 8, from + 16);
  for (let p = from; p < to; p++) {
    if (buf[p] !== 0x52 || be32(buf, p) !== MSG_REJ) continue;
    const n = buf[p + 4] | (buf[p + 5] << 8);
    return n > 0 && n <= MAX_TAGS && buf[p + 6] === 0 && buf[p + 7] === 0;
  }
  return false;
}
