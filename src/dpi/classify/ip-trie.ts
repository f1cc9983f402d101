/**
 * Longest-prefix match of IP addresses against address lists (cloud
 * providers, Tor nodes, VPN exits): a binary trie in typed arrays for IPv4
 * and one for IPv6 (addresses as four 32-bit words, as the flow table keeps
 * them). Each node holds two child indexes and the protocol id of a prefix
 * ending there (0 for none). Lookup allocates nothing.
 */
import { IPV4_PREFIXES, IPV6_PREFIXES } from '../generated/ip-lists';
import { grown } from '../../util/typed-grow';

class BitTrie {
  private left = new Int32Array(1024);
  private right = new Int32Array(1024);
  private value = new Uint16Array(1024);
  private nodes = 1;
  prefixes = 0;

  private node(): number {
    if (this.nodes === this.left.length) {
      const n = this.nodes * 2;
      this.left = grown(this.left, n);
      this.right = grown(this.right, n);
      this.value = grown(this.value, n);
    }
    return this.nodes++;
  }

  /** Inserts a prefix of `len` bits read from words[off...] (most significant bit first). */
  insert(words: ArrayLike<number>, off: number, len: number, id: number): void {
    let n = 0;
    for (let i = 0; i < len; i++) {
      const bit = (words[off + (i >>> 5)] >>> (31 - (i & 31))) & 1;
      const child = bit ? this.right : this.left;
      let c = child[n];
      if (c === 0) {
        c = this.node();
        (bit ? this.right : this.left)[n] = c;
      }
      n = c;
    }
    this.value[n] = id;
    this.prefixes++;
  }

  lookup(words: ArrayLike<number>, off: number, bits: number): number {
    let n = 0;
    let best = this.value[0];
    for (let i = 0; i < bits; i++) {
      const bit = (words[off + (i >>> 5)] >>> (31 - (i & 31))) & 1;
      n = bit ? this.right[n] : this.left[n];
      if (n === 0) break;
      if (this.value[n] !== 0) best = this.value[n];
    }
    return best;
  }
}

/** IPv6 text to four 32-bit words (undefined when malformed). */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.trim();
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const part = (x: string): number[] | undefined => {
    if (x === '') return [];
    const out: number[] = [];
    for (const g of x.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const g = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return [0, 1, 2, 3].map((i) => ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0);
}

export class IpClassifier {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();
  private readonly word = new Uint32Array(1);

  constructor(v4: ArrayLike<number> = IPV4_PREFIXES, v6: readonly (string | number)[] = IPV6_PREFIXES) {
    for (let i = 0; i + 2 < v4.length; i += 3) this.addV4(v4[i], v4[i + 1], v4[i + 2]);
    for (let i = 0; i + 2 < v6.length; i += 3) {
      const w = parseIpv6(String(v6[i]));
      if (w) this.v6.insert(w, 0, Number(v6[i + 1]), Number(v6[i + 2]));
    }
  }

  addV4(addr: number, len: number, id: number): void {
    this.word[0] = addr;
    this.v4.insert(this.word, 0, len, id);
  }

  addV6(words: number[], len: number, id: number): void {
    this.v6.insert(words, 0, len, id);
  }

  get size(): number {
    return this.v4.prefixes + this.v6.prefixes;
  }

  /** Protocol id of the longest prefix holding the address (4 words at addr[off]; IPv4 in the first), or 0. */
  lookup(ipVersion: number, addr: Int32Array, off: number): number {
    return ipVersion === 4 ? this.v4.lookup(addr, off, 32) : this.v6.lookup(addr, off, 128);
  }
}
