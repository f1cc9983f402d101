/**
 * Writing JSON pieces as bytes straight into an output buffer: ASCII
 * constants, unsigned integers, IPv4 and IPv6 addresses from their 32-bit
 * words and base64 (RFC 4648, 4). Each function takes
 * the buffer and a position and returns the position after what it wrote; the
 * caller has made room (LineOutput.ensure). Nothing here allocates for ASCII
 * data.
 */

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function putBytes(buf: Buffer, p: number, b: Uint8Array): number {
  const n = b.length;
  for (let i = 0; i < n; i++) buf[p + i] = b[i];
  return p + n;
}

function digitsOf(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** n in [0, 2^31) in decimal. */
function putSmall(buf: Buffer, p: number, n: number): number {
  const end = p + digitsOf(n);
  let i = end;
  while (n >= 10) {
    const q = (n / 10) | 0;
    buf[--i] = 48 + n - q * 10;
    n = q;
  }
  buf[--i] = 48 + n;
  return end;
}

/** A non-negative integer (below 2^53) in decimal. */
export function putUint(buf: Buffer, p: number, n: number): number {
  if (n < 0x80000000) return putSmall(buf, p, n);
  // Split into parts below 10^9 that 32-bit arithmetic handles exactly.
  const hi = Math.floor(n / 1e9);
  let lo = n - hi * 1e9;
  p = putUint(buf, p, hi);
  for (let i = p + 8; i >= p; i--) {
    const q = (lo / 10) | 0;
    buf[i] = 48 + lo - q * 10;
    lo = q;
  }
  return p + 9;
}

/** An IPv4 address held as a 32-bit word, dotted quad. */
export function putIpv4(buf: Buffer, p: number, w: number): number {
  p = putSmall(buf, p, (w >>> 24) & 255);
  buf[p++] = 46;
  p = putSmall(buf, p, (w >>> 16) & 255);
  buf[p++] = 46;
  p = putSmall(buf, p, (w >>> 8) & 255);
  buf[p++] = 46;
  return putSmall(buf, p, w & 255);
}

const HEX = ascii('0123456789abcdef');

/** A 16-bit group in lower-case hex without leading zeros. */
function putHex16(buf: Buffer, p: number, g: number): number {
  if (g >= 0x1000) buf[p++] = HEX[g >>> 12];
  if (g >= 0x100) buf[p++] = HEX[(g >>> 8) & 15];
  if (g >= 0x10) buf[p++] = HEX[(g >>> 4) & 15];
  buf[p++] = HEX[g & 15];
  return p;
}

function group(a: Int32Array, off: number, i: number): number {
  const w = a[off + (i >>> 1)];
  return (i & 1) === 0 ? (w >>> 16) & 0xffff : w & 0xffff;
}

/**
 * An IPv6 address held as four 32-bit words at a[off], in the text form of
 * flow/address.ts ipv6ToString (RFC 5952): lower case, the longest run of two
 * or more zero groups compressed (leftmost on ties), IPv4-mapped addresses
 * with a dotted tail.
 */
export function putIpv6(buf: Buffer, p: number, a: Int32Array, off: number): number {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (group(a, off, i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && group(a, off, j) === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === 0 && bestLen === 5 && group(a, off, 5) === 0xffff) {
    buf[p++] = 58;
    buf[p++] = 58;
    p = putHex16(buf, p, 0xffff);
    buf[p++] = 58;
    return putIpv4(buf, p, a[off + 3]);
  }
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      buf[p++] = 58;
      buf[p++] = 58;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) buf[p++] = 58;
    p = putHex16(buf, p, group(a, off, i));
  }
  return p;
}

const B64 = ascii('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Standard padded base64 of b[0, len). */
export function putBase64(buf: Buffer, p: number, b: Uint8Array, len: number): number {
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    buf[p++] = B64[v >> 18];
    buf[p++] = B64[(v >> 12) & 63];
    buf[p++] = B64[(v >> 6) & 63];
    buf[p++] = B64[v & 63];
  }
  const rest = len - i;
  if (rest === 1) {
    const v = b[i] << 16;
    buf[p++] = B64[v >> 18];
    buf[p++] = B64[(v >> 12) & 63];
    buf[p++] = 61;
    buf[p++] = 61;
  } else if (rest === 2) {
    const v = (b[i] << 16) | (b[i + 1] << 8);
    buf[p++] = B64[v >> 18];
    buf[p++] = B64[(v >> 12) & 63];
    buf[p++] = B64[(v >> 6) & 63];
    buf[p++] = 61;
  }
  return p;
}
