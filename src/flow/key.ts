/**
 * Symmetric flow key hashing. A flow is keyed by L4 protocol, IP version,
 * VLAN id and its two endpoints (address, port) put in canonical order (the
 * numerically smaller endpoint first), so both directions of a conversation
 * produce the same key and hash. The hash is MurmurHash3's 32-bit mixing over
 * the key words: numeric, no strings, no allocation.
 */

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * True when the packet's source endpoint sorts first (is the key's "A" side).
 * addr holds the source in words 0..3 and the destination in 4..7.
 */
export function sourceIsA(ipVersion: number, addr: Int32Array, srcPort: number, dstPort: number): boolean {
  if (ipVersion === 4) {
    const s = addr[0] >>> 0;
    const d = addr[4] >>> 0;
    return s < d || (s === d && srcPort <= dstPort);
  }
  for (let i = 0; i < 4; i++) {
    const s = addr[i] >>> 0;
    const d = addr[i + 4] >>> 0;
    if (s !== d) return s < d;
  }
  return srcPort <= dstPort;
}

/** Hash of a canonical key: A's words at aOff, B's at bOff in addr. */
export function flowHash(ipVersion: number, addr: Int32Array, aOff: number, bOff: number, ports: number, meta: number, seed: number): number {
  let h = mix(seed, meta);
  h = mix(h, ports);
  h = mix(h, addr[aOff]);
  h = mix(h, addr[bOff]);
  if (ipVersion === 6) {
    h = mix(h, addr[aOff + 1]);
    h = mix(h, addr[aOff + 2]);
    h = mix(h, addr[aOff + 3]);
    h = mix(h, addr[bOff + 1]);
    h = mix(h, addr[bOff + 2]);
    h = mix(h, addr[bOff + 3]);
  }
  return finish(h);
}
