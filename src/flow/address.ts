/**
 * Text forms of addresses held as 32-bit words: IPv4 dotted quad and IPv6 in
 * the RFC 5952 canonical form (lower case, longest run of two or more zero
 * groups compressed, leftmost on ties). Used when records are written, not
 * per packet.
 */

export function ipv4ToString(w: number): string {
  return `${(w >>> 24) & 255}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

export function ipv6ToString(a: Int32Array, off: number): string {
  const g = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const w = a[off + i];
    g[i * 2] = (w >>> 16) & 0xffff;
    g[i * 2 + 1] = w & 0xffff;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped addresses (::ffff:a.b.c.d) keep the dotted tail, as RFC 5952 section 5 recommends.
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${ipv4ToString(a[off + 3])}`;
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

export function addressToString(ipVersion: number, a: Int32Array, off: number): string {
  return ipVersion === 4 ? ipv4ToString(a[off]) : ipv6ToString(a, off);
}
