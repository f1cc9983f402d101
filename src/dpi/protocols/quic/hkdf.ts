/**
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4 6.2) for the short messages of QUIC's
 * Initial key schedule, without node:crypto objects: the HKDF-Extract of
 * the Initial secret (RFC 5869 2.2: HMAC keyed by the salt over the
 * Destination Connection ID) and HKDF-Expand-Label outputs of at most 32
 * bytes (RFC 8446 7.1: one HMAC over the label info and the counter 0x01).
 * A key is turned once into its two SHA-256 states after the ipad and opad
 * blocks (HmacKey); each message of at most 55 bytes then costs two block
 * compressions. createHmac builds an object per call, which costs several
 * times the hashing of these few bytes.
 */

/** Longest message hmacShort() takes: it must fit one block with SHA-256 padding (64 - 1 - 8). */
export const HMAC_SHORT_MAX = 55;

/** FIPS 180-4 4.2.2: the SHA-256 round constants. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** FIPS 180-4 5.3.3: the initial hash value. */
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);
const BLOCK = new Uint8Array(64);
const STATE = new Int32Array(8);
const INNER_DIGEST = new Uint8Array(32);

/** FIPS 180-4 6.2.2: compresses BLOCK into the state s. */
function compress(s: Int32Array): void {
  for (let t = 0; t < 16; t++) {
    const o = t * 4;
    W[t] = (BLOCK[o] << 24) | (BLOCK[o + 1] << 16) | (BLOCK[o + 2] << 8) | BLOCK[o + 3];
  }
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15];
    const y = W[t - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
  }
  let a = s[0];
  let b = s[1];
  let c = s[2];
  let d = s[3];
  let e = s[4];
  let f = s[5];
  let g = s[6];
  let h = s[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[t] + W[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + S0 + maj) | 0;
  }
  s[0] = (s[0] + a) | 0;
  s[1] = (s[1] + b) | 0;
  s[2] = (s[2] + c) | 0;
  s[3] = (s[3] + d) | 0;
  s[4] = (s[4] + e) | 0;
  s[5] = (s[5] + f) | 0;
  s[6] = (s[6] + g) | 0;
  s[7] = (s[7] + h) | 0;
}

/** An HMAC-SHA-256 key as the hash states after its ipad and opad blocks. */
export class HmacKey {
  readonly inner = new Int32Array(8);
  readonly outer = new Int32Array(8);
}

/** Sets k to the HMAC key key[off, off + len) (len at most 64, the block size; HKDF keys here are 20 or 32 bytes). */
export function setHmacKey(k: HmacKey, key: Uint8Array, off: number, len: number): void {
  if (len > 64) throw new RangeError(`setHmacKey: key of ${len} bytes is longer than a block`);
  padState(k.inner, key, off, len, 0x36);
  padState(k.outer, key, off, len, 0x5c);
}

function padState(s: Int32Array, key: Uint8Array, off: number, len: number, pad: number): void {
  BLOCK.fill(pad);
  for (let i = 0; i < len; i++) BLOCK[i] = key[off + i] ^ pad;
  s.set(H0);
  compress(s);
}

/**
 * Hashes msg[off, off + len) (len <= HMAC_SHORT_MAX) after the 64-byte
 * block whose state is `after`, writing the 32-byte digest to out[outOff].
 */
function finishShort(after: Int32Array, msg: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): void {
  BLOCK.fill(0);
  for (let i = 0; i < len; i++) BLOCK[i] = msg[off + i];
  BLOCK[len] = 0x80;
  const bits = (64 + len) * 8;
  BLOCK[62] = bits >>> 8;
  BLOCK[63] = bits & 0xff;
  STATE.set(after);
  compress(STATE);
  for (let i = 0; i < 8; i++) {
    const v = STATE[i];
    const o = outOff + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
}

/** Writes HMAC-SHA-256(k, msg[off, off + len)) to out[outOff, outOff + 32); len at most HMAC_SHORT_MAX. */
export function hmacShort(k: HmacKey, msg: Uint8Array, off: number, len: number, out: Uint8Array, outOff: number): void {
  if (len > HMAC_SHORT_MAX) throw new RangeError(`hmacShort: message of ${len} bytes is too long`);
  finishShort(k.inner, msg, off, len, INNER_DIGEST, 0);
  finishShort(k.outer, INNER_DIGEST, 0, 32, out, outOff);
}

/**
 * The HkdfLabel of RFC 8446 7.1 with an empty context, followed by the
 * HKDF-Expand counter byte 0x01: the whole HMAC message of an expansion to
 * `length` bytes (at most 32). Built once per label.
 */
export function expandLabelInfo(label: string, length: number): Uint8Array {
  const full = 'tls13 ' + label;
  const info = new Uint8Array(2 + 1 + full.length + 1 + 1);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  for (let i = 0; i < full.length; i++) info[3 + i] = full.charCodeAt(i);
  info[3 + full.length] = 0;
  info[4 + full.length] = 1;
  return info;
}

const EXPANDED = new Uint8Array(32);

/**
 * HKDF-Expand-Label(secret, label, "", length) for the secret whose HMAC
 * key is k and the info expandLabelInfo(label, length) built: writes
 * `length` bytes (at most 32) to out[outOff].
 */
export function expandLabelInto(k: HmacKey, info: Uint8Array, length: number, out: Uint8Array, outOff: number): void {
  hmacShort(k, info, 0, info.length, EXPANDED, 0);
  for (let i = 0; i < length; i++) out[outOff + i] = EXPANDED[i];
}
