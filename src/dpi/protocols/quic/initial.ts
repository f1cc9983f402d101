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
 * The key schedule (hkdf.ts) and the header protection block (aes.ts) are
 * computed without node:crypto objects; the payload is opened with
 * node:crypto's AES-128-GCM.
 */
import { createDecipheriv } from 'node:crypto';
import { aes128EncryptBlock } from './aes';
import { expandLabelInfo, expandLabelInto, HmacKey, hmacShort, setHmacKey } from './hkdf';

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** HMAC messages of the HKDF-Expand-Label calls (RFC 9001 5.1, 5.2; RFC 9369 3.3.2 for the "quicv2" labels). */
const CLIENT_IN = expandLabelInfo('client in', 32);
const LABELS_V1 = { key: expandLabelInfo('quic key', 16), iv: expandLabelInfo('quic iv', 12), hp: expandLabelInfo('quic hp', 16) };
const LABELS_V2 = { key: expandLabelInfo('quicv2 key', 16), iv: expandLabelInfo('quicv2 iv', 12), hp: expandLabelInfo('quicv2 hp', 16) };

/** HMAC keys of the Initial salts (the few constants of versions.ts), made on first use. */
const saltKeys = new Map<Buffer, HmacKey>();
/** The HMAC key of the secret being expanded, and the client secret of the flow being keyed. */
const secretKey = new HmacKey();
const clientSecret = new Uint8Array(32);

function saltKey(salt: Buffer): HmacKey {
  let k = saltKeys.get(salt);
  if (k === undefined) {
    k = new HmacKey();
    setHmacKey(k, salt, 0, salt.length);
    saltKeys.set(salt, k);
  }
  return k;
}

/** Writes client_initial_secret (32 bytes) to out: HKDF-Extract(salt, dcid), then HKDF-Expand-Label "client in". */
function clientSecretInto(salt: Buffer, dcid: Uint8Array, out: Uint8Array): void {
  hmacShort(saltKey(salt), dcid, 0, dcid.length, out, 0);
  setHmacKey(secretKey, out, 0, 32);
  expandLabelInto(secretKey, CLIENT_IN, 32, out, 0);
}

/** client_initial_secret for a version's salt and the client's first Destination Connection ID (at most 20 bytes). */
export function clientInitialSecret(salt: Buffer, dcid: Uint8Array): Buffer {
  const out = Buffer.alloc(32);
  clientSecretInto(salt, dcid, out);
  return out;
}

/** HKDF-Expand-Label of the secret whose HMAC key is secretKey, as a new Buffer. */
function expanded(info: Uint8Array, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  expandLabelInto(secretKey, info, length, out, 0);
  return out;
}

/** The key, IV and header protection key derived from a 32-byte secret (v2 labels when v2). */
export function packetKeys(secret: Uint8Array, v2: boolean): InitialKeys {
  setHmacKey(secretKey, secret, 0, 32);
  const l = v2 ? LABELS_V2 : LABELS_V1;
  return { key: expanded(l.key, 16), iv: expanded(l.iv, 12), hp: expanded(l.hp, 16) };
}

/** The client Initial keys of a connection. */
export function clientInitialKeys(salt: Buffer, dcid: Uint8Array, v2: boolean): InitialKeys {
  clientSecretInto(salt, dcid, clientSecret);
  return packetKeys(clientSecret, v2);
}

/** Writes the header protection mask for the 16-byte sample at buf[sampleOff] to mask[0, 16) (AES-128-ECB; 5 bytes are used). */
export function headerMask(hp: Uint8Array, buf: Uint8Array, sampleOff: number, mask: Uint8Array): void {
  aes128EncryptBlock(hp, buf, sampleOff, mask);
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

const mask = new Uint8Array(16);
const nonce = Buffer.alloc(12);
/** The unprotected header, the AEAD's associated data; grows for long Retry tokens. */
let aad = Buffer.alloc(256);
const GCM_OPTIONS = { authTagLength: 16 };

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
  headerMask(keys.hp, buf, pnOff + 4, mask);
  const first = buf[off] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  const ctOff = pnOff + pnLen;
  const tagOff = h.end - 16;
  if (tagOff < ctOff) return null;
  const aadLen = ctOff - off;
  if (aad.length < aadLen) aad = Buffer.alloc(aadLen);
  buf.copy(aad, 0, off, ctOff);
  aad[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const j = pnOff - off + i;
    aad[j] ^= mask[1 + i];
    truncated = truncated * 256 + aad[j];
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  keys.iv.copy(nonce, 0);
  let x = pn;
  for (let i = 11; i >= 4 && x > 0; i--) {
    nonce[i] ^= x % 256;
    x = Math.floor(x / 256);
  }
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonce, GCM_OPTIONS);
    d.setAAD(aad.subarray(0, aadLen));
    d.setAuthTag(buf.subarray(tagOff, h.end));
    const plain = d.update(buf.subarray(ctOff, tagOff));
    // GCM is a stream mode: final() returns no bytes, it checks the tag (and throws when it does not match).
    d.final();
    opened.pn = pn;
    return plain;
  } catch {
    return null;
  }
}
