/**
 * Writing JSON pieces as bytes straight into a LineOutput's buffer: ASCII
 * constants, unsigned integers, IPv4 addresses from their 32-bit word,
 * escaped strings (RFC 8259, 7) and base64 (RFC 4648, 4). Callers reserve room
 * with ensure() first; nothing here allocates for ASCII data.
 */
import type { LineOutput } from './output';

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function putBytes(o: LineOutput, b: Uint8Array): void {
  const buf = o.buf;
  let p = o.pos;
  for (let i = 0; i < b.length; i++) buf[p++] = b[i];
  o.pos = p;
}

/** A non-negative integer (below 2^53) in decimal. */
export function putUint(o: LineOutput, n: number): void {
  const buf = o.buf;
  let p = o.pos;
  if (n < 10) {
    buf[p] = 48 + n;
    o.pos = p + 1;
    return;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  p += digits;
  o.pos = p;
  let x = n;
  if (x <= 0x7fffffff) {
    while (x >= 10) {
      const q = (x / 10) | 0;
      buf[--p] = 48 + x - q * 10;
      x = q;
    }
  } else {
    while (x >= 10) {
      const r = x % 10;
      buf[--p] = 48 + r;
      x = (x - r) / 10;
    }
  }
  buf[--p] = 48 + x;
}

/** An IPv4 address held as a 32-bit word, dotted quad. */
export function putIpv4(o: LineOutput, w: number): void {
  putUint(o, (w >>> 24) & 255);
  o.buf[o.pos++] = 46;
  putUint(o, (w >>> 16) & 255);
  o.buf[o.pos++] = 46;
  putUint(o, (w >>> 8) & 255);
  o.buf[o.pos++] = 46;
  putUint(o, w & 255);
}

/** A string of printable ASCII with nothing to escape, written without quotes. */
export function putPlain(o: LineOutput, s: string): void {
  const buf = o.buf;
  let p = o.pos;
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  o.pos = p;
}

/** A JSON string literal, quotes included, escaped as JSON requires. */
export function putJsonString(o: LineOutput, s: string): void {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) {
    o.ensure(s.length + 2);
    o.buf[o.pos++] = 34;
    putPlain(o, s);
    o.buf[o.pos++] = 34;
    return;
  }
  const lit = JSON.stringify(s);
  o.ensure(lit.length * 3);
  o.pos += o.buf.write(lit, o.pos, 'utf8');
}

const B64 = ascii('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** Standard padded base64 of b[0, len). */
export function putBase64(o: LineOutput, b: Uint8Array, len: number): void {
  const buf = o.buf;
  let p = o.pos;
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
  o.pos = p;
}
