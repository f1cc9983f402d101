/**
 * AES-128 encryption of one block (FIPS 197), for QUIC header protection
 * (RFC 9001 5.4.3: the mask is AES-ECB of a 16-byte sample under the
 * packet's hp key). A key is used for one or two blocks per flow, where
 * node:crypto's createCipheriv costs far more than the cipher itself.
 * Table-driven: the S-box is derived at load time from its definition
 * (multiplicative inverse in GF(2^8), then the affine map, FIPS 197 5.1.1),
 * and four tables combine SubBytes, ShiftRows' byte choice and MixColumns
 * per round. Not constant-time: it only processes public header bytes of
 * captured traffic, with keys derived from public values.
 */

/** Multiplication by x (0x02) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 4.2.1). */
function xtime(b: number): number {
  return ((b << 1) ^ ((b & 0x80) !== 0 ? 0x1b : 0)) & 0xff;
}

function rotl8(b: number, n: number): number {
  return ((b << n) | (b >>> (8 - n))) & 0xff;
}

const SBOX = new Uint8Array(256);
/** T0[x] is the MixColumns column of S(x) in row 0: (2S, S, S, 3S) as a big-endian word; T1..T3 are its byte rotations. */
const T0 = new Int32Array(256);
const T1 = new Int32Array(256);
const T2 = new Int32Array(256);
const T3 = new Int32Array(256);

function buildTables(): void {
  // Powers of the generator 3 give log/antilog tables for the inverses.
  const exp = new Uint8Array(255);
  const log = new Uint8Array(256);
  let g = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = g;
    log[g] = i;
    g ^= xtime(g);
  }
  for (let x = 0; x < 256; x++) {
    const inv = x === 0 ? 0 : exp[(255 - log[x]) % 255];
    const s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
    SBOX[x] = s;
    const s2 = xtime(s);
    const w = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    T0[x] = w;
    T1[x] = (w >>> 8) | (w << 24);
    T2[x] = (w >>> 16) | (w << 16);
    T3[x] = (w >>> 24) | (w << 8);
  }
}
buildTables();

/** Round keys of the last key expanded (FIPS 197 5.2: 44 words for AES-128). */
const RK = new Int32Array(44);

function subWord(w: number): number {
  return (SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 0xff] << 16) | (SBOX[(w >>> 8) & 0xff] << 8) | SBOX[w & 0xff];
}

function be32(b: Uint8Array, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}

function expandKey(key: Uint8Array): void {
  for (let i = 0; i < 4; i++) RK[i] = be32(key, i * 4);
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = RK[i - 1];
    if ((i & 3) === 0) {
      t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24);
      rcon = xtime(rcon);
    }
    RK[i] = RK[i - 4] ^ t;
  }
}

/** Writes AES-128(key, src[off, off + 16)) to out[0, 16). key is 16 bytes. */
export function aes128EncryptBlock(key: Uint8Array, src: Uint8Array, off: number, out: Uint8Array): void {
  expandKey(key);
  let s0 = be32(src, off) ^ RK[0];
  let s1 = be32(src, off + 4) ^ RK[1];
  let s2 = be32(src, off + 8) ^ RK[2];
  let s3 = be32(src, off + 12) ^ RK[3];
  for (let r = 4; r < 40; r += 4) {
    const t0 = T0[s0 >>> 24] ^ T1[(s1 >>> 16) & 0xff] ^ T2[(s2 >>> 8) & 0xff] ^ T3[s3 & 0xff] ^ RK[r];
    const t1 = T0[s1 >>> 24] ^ T1[(s2 >>> 16) & 0xff] ^ T2[(s3 >>> 8) & 0xff] ^ T3[s0 & 0xff] ^ RK[r + 1];
    const t2 = T0[s2 >>> 24] ^ T1[(s3 >>> 16) & 0xff] ^ T2[(s0 >>> 8) & 0xff] ^ T3[s1 & 0xff] ^ RK[r + 2];
    const t3 = T0[s3 >>> 24] ^ T1[(s0 >>> 16) & 0xff] ^ T2[(s1 >>> 8) & 0xff] ^ T3[s2 & 0xff] ^ RK[r + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // Last round: SubBytes and ShiftRows without MixColumns.
  putWord(out, 0, lastRound(s0, s1, s2, s3) ^ RK[40]);
  putWord(out, 4, lastRound(s1, s2, s3, s0) ^ RK[41]);
  putWord(out, 8, lastRound(s2, s3, s0, s1) ^ RK[42]);
  putWord(out, 12, lastRound(s3, s0, s1, s2) ^ RK[43]);
}

function lastRound(a: number, b: number, c: number, d: number): number {
  return (SBOX[a >>> 24] << 24) | (SBOX[(b >>> 16) & 0xff] << 16) | (SBOX[(c >>> 8) & 0xff] << 8) | SBOX[d & 0xff];
}

function putWord(out: Uint8Array, p: number, w: number): void {
  out[p] = w >>> 24;
  out[p + 1] = (w >>> 16) & 0xff;
  out[p + 2] = (w >>> 8) & 0xff;
  out[p + 3] = w & 0xff;
}
