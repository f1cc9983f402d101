/**
 * Small byte helpers shared by dissectors: matching ASCII constants and
 * finding line ends in a payload view without allocating. Constants are
 * built once at module load with ascii().
 */

/** An ASCII decimal digit '0'-'9'. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The bytes of an ASCII string (module-load time only). */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** True when buf[off...] (bounded by end) starts with pat. */
export function startsWith(buf: Uint8Array, off: number, end: number, pat: Uint8Array): boolean {
  const n = pat.length;
  if (off + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[off + i] !== pat[i]) return false;
  return true;
}

/** True when buf[off, end) ends with pat. */
export function endsWith(buf: Uint8Array, off: number, end: number, pat: Uint8Array): boolean {
  return end - off >= pat.length && startsWith(buf, end - pat.length, end, pat);
}

/** Like startsWith, ASCII case-insensitively (pat must be lowercase). */
export function startsWithNoCase(buf: Uint8Array, off: number, end: number, pat: Uint8Array): boolean {
  const n = pat.length;
  if (off + n > end) return false;
  for (let i = 0; i < n; i++) {
    let c = buf[off + i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== pat[i]) return false;
  }
  return true;
}

/** Offset of the first occurrence of pat in buf[off, end), or -1. */
export function indexOf(buf: Uint8Array, off: number, end: number, pat: Uint8Array): number {
  const n = pat.length;
  if (n === 0) return off;
  const first = pat[0];
  for (let i = off; i + n <= end; i++) {
    if (buf[i] !== first) continue;
    let j = 1;
    while (j < n && buf[i + j] === pat[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

/** Offset of the first byte b in buf[off, end), or -1. */
export function indexOfByte(buf: Uint8Array, off: number, end: number, b: number): number {
  for (let i = off; i < end; i++) if (buf[i] === b) return i;
  return -1;
}

/**
 * indexOfByte by the runtime's native search (memchr): a few times faster
 * over lines of text, but it may read past end (to the end of buf's view)
 * when b is not in buf[off, end). For text, where b is a line feed or other
 * common byte; indexOfByte for short spans.
 */
export function findByte(buf: Uint8Array, off: number, end: number, b: number): number {
  if (off >= end) return -1;
  const i = buf.indexOf(b, off);
  return i < end ? i : -1;
}

/** Offset of the "\r\n" ending the line that starts at off, or -1. */
export function lineEnd(buf: Uint8Array, off: number, end: number): number {
  for (let i = off; i + 1 < end; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** True when every byte of buf[off, end) is printable ASCII or tab/CR/LF. */
export function isPrintable(buf: Uint8Array, off: number, end: number): boolean {
  for (let i = off; i < end; i++) {
    const c = buf[i];
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c > 126) return false;
  }
  return true;
}

/** Big-endian reads at an absolute offset (caller checked bounds). */
export function be16(buf: Uint8Array, p: number): number {
  return (buf[p] << 8) | buf[p + 1];
}

export function be32(buf: Uint8Array, p: number): number {
  return ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
}

export function le16(buf: Uint8Array, p: number): number {
  return buf[p] | (buf[p + 1] << 8);
}

export function le32(buf: Uint8Array, p: number): number {
  return (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0;
}
