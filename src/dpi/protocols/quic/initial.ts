/**
 * Opening a client Initial packet (RFC 9001 5): the long header layout
 * (RFC 9000 17.2, 17.2.2), Initial secrets (5.2: HKDF-Extract with the
 * version's salt over the client's first Destination Connection ID, then
 * HKDF-Expand-Label "client in"), packet protection keys (5.1: "quic key",
 * "quic iv", "quic hp"; "quicv2 ..." for QUIC v2, RFC 9369 3.3.2), header
 * protection removal with an AES-128-ECB mask over a 16-byte sample taken 4
 * bytes after the packet number offset (5.4.1-5.4.3), the AEAD_AES_128_GCM
 * nonce (IV xor packet number, 5.3) and the packet number reconstruction
 * of RFC 9000 A.3.
 * Only what a passive observer needs: client keys, AES-128-GCM; no key
 * updates, no server keys, no ChaCha20 (Initial packets never use it).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for outputs up to 32 bytes (one HMAC block). */
export function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = 'tls13 ' + label;
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, 'latin1');
  info[3 + full.length] = 0;
  info[4 + full.length] = 1;
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** client_initial_secret for a version's salt and the client's first Destination Connection ID. */
export function clientInitialSecret(salt: Buffer, dcid: Buffer): Buffer {
  const initial = createHmac('sha256', salt).update(dcid).digest();
  return expandLabel(initial, 'client in', 32);
}

/** The key, IV and header protection key derived from a secret (v2 labels when v2). */
export function packetKeys(secret: Buffer, v2: boolean): InitialKeys {
  const p = v2 ? 'quicv2 ' : 'quic ';
  return { key: expandLabel(secret, p + 'key', 16), iv: expandLabel(secret, p + 'iv', 12), hp: expandLabel(secret, p + 'hp', 16) };
}

/** The client Initial keys of a connection. */
export function clientInitialKeys(salt: Buffer, dcid: Buffer, v2: boolean): InitialKeys {
  return packetKeys(clientInitialSecret(salt, dcid), v2);
}

/** The 5-byte header protection mask for a 16-byte sample (AES-128-ECB of the sample). */
export function headerMask(hp: Buffer, sample: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', hp, null);
  c.setAutoPadding(false);
  return c.update(sample).subarray(0, 5);
}

/** RFC 9000 A.3: the full packet number closest to the next expected one. */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const half = win / 2;
  const candidate = expected - (expected % win) + truncated;
  if (candidate <= expected - half && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + half && candidate >= win) return candidate - win;
  return candidate;
}

/** Where the last readVarint() ended. */
export const vi = { end: 0 };

/** Reads a QUIC variable-length integer (RFC 9000 16) at buf[p]; -1 when it does not fit before end. Sets vi.end. */
export function readVarint(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const b = buf[p];
  const n = 1 << (b >> 6);
  if (p + n > end) return -1;
  let v = b & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + buf[p + i];
  vi.end = p + n;
  return v;
}

/**
 * A long header packet's layout (RFC 9000 17.2), filled by parseLongHeader.
 * Offsets are absolute in the buffer. pnOff is -1 for packets without a
 * Length field (Retry) and for Version Negotiation.
 */
export class LongHeader {
  first = 0;
  version = 0;
  type = 0;
  dcidOff = 0;
  dcidLen = 0;
  scidOff = 0;
  scidLen = 0;
  /** Offset of the packet number (after the Length field), or -1. */
  pnOff = -1;
  /** End of this packet (pnOff + Length): the next coalesced packet starts there. */
  end = 0;
}

/** Connection IDs are at most 20 bytes in QUIC v1 and its drafts (RFC 9000 17.2). */
export const MAX_CID = 20;

/** parseLongHeader results. */
export const enum Parsed {
  /** Not a long header: a field does not fit or a connection ID is longer than 20 bytes. */
  Bad = 0,
  Ok = 1,
  /** Valid up to the Length field, which reaches past the datagram (a truncated packet): pnOff is -1. */
  Truncated = 2,
}

/**
 * Parses the long header at buf[off, end). initialType/retryType are the
 * version's type codes.
 */
export function parseLongHeader(buf: Uint8Array, off: number, end: number, h: LongHeader, initialType: number, retryType: number): Parsed {
  if (off + 7 > end) return Parsed.Bad;
  const first = buf[off];
  if ((first & 0x80) === 0) return Parsed.Bad;
  h.first = first;
  h.version = ((buf[off + 1] << 24) | (buf[off + 2] << 16) | (buf[off + 3] << 8) | buf[off + 4]) >>> 0;
  h.type = (first >> 4) & 3;
  let p = off + 5;
  const dl = buf[p++];
  if (dl > MAX_CID || p + dl >= end) return Parsed.Bad;
  h.dcidOff = p;
  h.dcidLen = dl;
  p += dl;
  const sl = buf[p++];
  if (sl > MAX_CID || p + sl > end) return Parsed.Bad;
  h.scidOff = p;
  h.scidLen = sl;
  p += sl;
  h.pnOff = -1;
  h.end = end;
  if (h.version === 0 || h.type === retryType) return Parsed.Ok;
  if (h.type === initialType) {
    const tokenLen = readVarint(buf, p, end);
    if (tokenLen < 0 || vi.end + tokenLen > end) return Parsed.Bad;
    p = vi.end + tokenLen;
  }
  const length = readVarint(buf, p, end);
  if (length < 0) return Parsed.Bad;
  p = vi.end;
  if (p + length > end) return Parsed.Truncated;
  h.pnOff = p;
  h.end = p + length;
  return Parsed.Ok;
}

/** The full packet number of the last packet openPacket() opened. */
export const opened = { pn: 0 };

/**
 * Removes header protection from the Initial packet described by h and
 * decrypts its payload with keys. largestPn is the largest packet number
 * opened so far in this packet number space (-1 before the first).
 * Returns the plaintext frames, or null when the packet is too short or
 * does not authenticate (wrong keys, damaged, not an Initial).
 */
export function openPacket(buf: Buffer, off: number, h: LongHeader, keys: InitialKeys, largestPn: number): Buffer | null {
  const pnOff = h.pnOff;
  if (pnOff < 0 || pnOff + 4 + 16 > h.end) return null;
  const mask = headerMask(keys.hp, buf.subarray(pnOff + 4, pnOff + 20));
  const first = buf[off] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  const ctOff = pnOff + pnLen;
  const tagOff = h.end - 16;
  if (tagOff < ctOff) return null;
  const aad = Buffer.from(buf.subarray(off, ctOff));
  aad[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const j = pnOff - off + i;
    aad[j] ^= mask[1 + i];
    truncated = truncated * 256 + aad[j];
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  const nonce = Buffer.from(keys.iv);
  let x = pn;
  for (let i = 11; i >= 4 && x > 0; i--) {
    nonce[i] ^= x % 256;
    x = Math.floor(x / 256);
  }
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonce);
    d.setAAD(aad);
    d.setAuthTag(buf.subarray(tagOff, h.end));
    const a = d.update(buf.subarray(ctOff, tagOff));
    const b = d.final();
    opened.pn = pn;
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch {
    return null;
  }
}
