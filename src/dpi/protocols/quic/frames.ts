/**
 * Frames of decrypted Initial packets and the reassembly of the client's
 * handshake bytes from them.
 *  - IETF frames (RFC 9000 19): PADDING (0x00), PING (0x01), ACK (0x02,
 *    0x03 with ECN counts, 19.3), CRYPTO (0x06: offset, length, data,
 *    19.6); CONNECTION_CLOSE (0x1c) or anything else ends the walk (no
 *    other frame may appear in an Initial, RFC 9000 12.4).
 *  - Google frames (Q046..Q05x/T05x, Chromium's framer): PADDING (0x00),
 *    PING (0x07), CRYPTO (0x08: varint offset, varint length, data),
 *    ACK (0b01nullmm: largest acked, delay, optional block count, first
 *    block, blocks, timestamps), STREAM (0b1fdooo ss: stream id, offset,
 *    optional data length; little-endian fields before Q039).
 * CRYPTO data may arrive in several frames, out of order, over several
 * packets (Chrome spreads large ClientHellos over two Initials):
 * CryptoStream keeps the bytes of the first 16 KiB of the stream and the
 * ranges received.
 */
import { readVarint, vi } from './initial';

/** Bytes of the handshake stream kept per flow: a ClientHello (with post-quantum key shares) fits. */
export const CRYPTO_CAP = 16384;

/** The client's handshake byte stream, reassembled from offset 0. */
export class CryptoStream {
  buf: Buffer | null = null;
  /** Received ranges as sorted, disjoint [start, end) pairs. */
  ranges: number[] = [];

  /** Stores data[dOff, dOff + len) at stream offset `at` (beyond CRYPTO_CAP is dropped). */
  add(data: Uint8Array, dOff: number, len: number, at: number): void {
    if (len <= 0 || at >= CRYPTO_CAP) return;
    const end = Math.min(at + len, CRYPTO_CAP);
    let b = this.buf;
    if (b === null || b.length < end) {
      let size = b === null ? 2048 : b.length;
      while (size < end) size *= 2;
      const g = Buffer.alloc(Math.min(size, CRYPTO_CAP));
      if (b !== null) b.copy(g);
      b = g;
      this.buf = g;
    }
    b.set(data.subarray(dOff, dOff + (end - at)), at);
    this.addRange(at, end);
  }

  private addRange(s: number, e: number): void {
    const r = this.ranges;
    const out: number[] = [];
    let i = 0;
    while (i < r.length && r[i + 1] < s) {
      out.push(r[i], r[i + 1]);
      i += 2;
    }
    while (i < r.length && r[i] <= e) {
      if (r[i] < s) s = r[i];
      if (r[i + 1] > e) e = r[i + 1];
      i += 2;
    }
    out.push(s, e);
    for (; i < r.length; i++) out.push(r[i]);
    this.ranges = out;
  }

  /** Bytes available contiguously from offset 0. */
  contiguous(): number {
    return this.ranges.length > 0 && this.ranges[0] === 0 ? this.ranges[1] : 0;
  }
}

/**
 * Walks the IETF frames of a decrypted Initial payload, feeding CRYPTO
 * data to the stream. Returns false when a frame is malformed or not
 * allowed in an Initial packet (the rest is ignored).
 */
export function walkIetfFrames(p: Buffer, stream: CryptoStream): boolean {
  const end = p.length;
  let i = 0;
  while (i < end) {
    const t = p[i];
    if (t === 0x00) {
      i++;
      while (i < end && p[i] === 0) i++;
    } else if (t === 0x01) {
      i++;
    } else if (t === 0x02 || t === 0x03) {
      i = skipIetfAck(p, i + 1, end, t === 0x03);
      if (i < 0) return false;
    } else if (t === 0x06) {
      const at = readVarint(p, i + 1, end);
      if (at < 0) return false;
      const len = readVarint(p, vi.end, end);
      if (len < 0 || vi.end + len > end) return false;
      stream.add(p, vi.end, len, at);
      i = vi.end + len;
    } else {
      return false;
    }
  }
  return true;
}

/** ACK frame body (RFC 9000 19.3) from p; returns its end or -1. */
function skipIetfAck(b: Buffer, p: number, end: number, ecn: boolean): number {
  if (readVarint(b, p, end) < 0) return -1;
  if (readVarint(b, vi.end, end) < 0) return -1;
  const count = readVarint(b, vi.end, end);
  if (count < 0 || count > 256) return -1;
  if (readVarint(b, vi.end, end) < 0) return -1;
  for (let k = 0; k < count * 2; k++) if (readVarint(b, vi.end, end) < 0) return -1;
  if (ecn) for (let k = 0; k < 3; k++) if (readVarint(b, vi.end, end) < 0) return -1;
  return vi.end;
}

/** Byte count of a gQUIC 2-bit length code (packet numbers, ack fields): 1, 2, 4, 6. */
const LEN_CODE = [1, 2, 4, 6];

/** A gQUIC ACK frame (type 0b01nullmm) starting at p; returns its end or -1. */
function skipGoogleAck(b: Uint8Array, p: number, end: number): number {
  const t = b[p];
  const largestLen = LEN_CODE[(t >> 2) & 3];
  const blockLen = LEN_CODE[t & 3];
  let i = p + 1 + largestLen + 2;
  let blocks = 0;
  if ((t & 0x20) !== 0) {
    if (i >= end) return -1;
    blocks = b[i++];
  }
  i += blockLen + blocks * (1 + blockLen);
  if (i >= end) return -1;
  const stamps = b[i++];
  if (stamps > 0) i += 5 + (stamps - 1) * 3;
  return i <= end ? i : -1;
}

/** Reads an n-byte unsigned integer, big-endian or little-endian. */
function readUint(b: Uint8Array, p: number, n: number, le: boolean): number {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 256 + b[le ? p + n - 1 - k : p + k];
  return v;
}

/**
 * Walks Google QUIC frames in b[p, end): CRYPTO frames (versions with
 * crypto frames) or STREAM frames on the crypto stream (stream 1) feed the
 * stream. le: stream frame fields are little-endian (before Q039).
 * Returns false at the first frame it cannot size.
 */
export function walkGoogleFrames(b: Uint8Array, p: number, end: number, stream: CryptoStream, le: boolean): boolean {
  while (p < end) {
    const t = b[p];
    if (t === 0x00) {
      p++;
      while (p < end && b[p] === 0) p++;
    } else if (t === 0x07) {
      p++;
    } else if (t === 0x08) {
      const at = readVarint(b, p + 1, end);
      if (at < 0) return false;
      const len = readVarint(b, vi.end, end);
      if (len < 0 || vi.end + len > end) return false;
      stream.add(b, vi.end, len, at);
      p = vi.end + len;
    } else if ((t & 0xc0) === 0x40) {
      p = skipGoogleAck(b, p, end);
      if (p < 0) return false;
    } else if ((t & 0x80) !== 0) {
      const idLen = (t & 3) + 1;
      const o = (t >> 2) & 7;
      const offLen = o === 0 ? 0 : o + 1;
      const hasLen = (t & 0x20) !== 0;
      let i = p + 1;
      if (i + idLen + offLen + (hasLen ? 2 : 0) > end) return false;
      const id = readUint(b, i, idLen, le);
      i += idLen;
      const at = readUint(b, i, offLen, le);
      i += offLen;
      let len = end - i - (hasLen ? 2 : 0);
      if (hasLen) {
        len = readUint(b, i, 2, le);
        i += 2;
      }
      if (i + len > end) return false;
      if (id === 1) stream.add(b, i, len, at);
      p = i + len;
    } else {
      return false;
    }
  }
  return true;
}
