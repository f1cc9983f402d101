/**
 * SHA-1 (FIPS 180-4, section 6.1) for short inputs, without allocation: the
 * message is padded into a reused block buffer and the digest written into a
 * reused 20-byte buffer. Used for the community ID of every flow record, where
 * node:crypto's per-call Hash objects cost more than the hashing itself.
 * Not for security purposes (SHA-1 is broken for collision resistance).
 */

const W = new Int32Array(80);
const H = new Int32Array(5);
/** Room for inputs up to 119 bytes (two 64-byte blocks after padding). */
const BLOCK = new Uint8Array(128);
export const SHA1_MAX_INPUT = 119;

/** Writes the SHA-1 of data[0..len) into out[0..20). len must be <= SHA1_MAX_INPUT. */
export function sha1Short(data: Uint8Array, len: number, out: Uint8Array): void {
  if (len > SHA1_MAX_INPUT) throw new RangeError(`sha1Short: input of ${len} bytes is too long`);
  const blocks = len + 9 <= 64 ? 1 : 2;
  const total = blocks * 64;
  BLOCK.set(data.subarray(0, len), 0);
  BLOCK[len] = 0x80;
  BLOCK.fill(0, len + 1, total - 4);
  const bits = len * 8;
  BLOCK[total - 4] = bits >>> 24;
  BLOCK[total - 3] = (bits >>> 16) & 0xff;
  BLOCK[total - 2] = (bits >>> 8) & 0xff;
  BLOCK[total - 1] = bits & 0xff;
  H[0] = 0x67452301;
  H[1] = 0xefcdab89 | 0;
  H[2] = 0x98badcfe | 0;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0 | 0;
  for (let b = 0; b < blocks; b++) compress(b * 64);
  for (let i = 0; i < 5; i++) {
    const h = H[i];
    out[i * 4] = h >>> 24;
    out[i * 4 + 1] = (h >>> 16) & 0xff;
    out[i * 4 + 2] = (h >>> 8) & 0xff;
    out[i * 4 + 3] = h & 0xff;
  }
}

function compress(off: number): void {
  for (let t = 0; t < 16; t++) {
    const o = off + t * 4;
    W[t] = (BLOCK[o] << 24) | (BLOCK[o + 1] << 16) | (BLOCK[o + 2] << 8) | BLOCK[o + 3];
  }
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3] ^ W[t - 8] ^ W[t - 14] ^ W[t - 16];
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = H[0];
  let b = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const tmp = (((a << 5) | (a >>> 27)) + f + e + k + W[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  H[0] = (H[0] + a) | 0;
  H[1] = (H[1] + b) | 0;
  H[2] = (H[2] + c) | 0;
  H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0;
}
