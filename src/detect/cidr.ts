/**
 * Address lists given as CIDR blocks (RFC 4632 for IPv4, RFC 4291 section
 * 2.3 for IPv6): "10.0.0.0/8", "2001:db8::/32", or a single address (a /32
 * or /128). Matching takes an address as the flow table holds it (32-bit
 * words in an Int32Array, IPv4 in the first word), so no strings are made on
 * the packet path; the lookup is the DPI engine's prefix trie.
 *
 * A block with bits set after its prefix ("10.1.2.3/8") is refused: it is
 * usually a typo for a host or for a different network.
 */
import { IpClassifier, parseIpv6 } from '../dpi/classify/ip-trie';
import { addressToString } from '../flow/address';

export interface Cidr {
  ipVersion: 4 | 6;
  /** Network address words (one for IPv4, four for IPv6), unsigned. */
  words: number[];
  prefix: number;
  text: string;
}

function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  let w = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255 || (m[i].length > 1 && m[i][0] === '0')) return undefined;
    w = w * 256 + b;
  }
  return w;
}

/** Parses one CIDR block or address; returns the problem as a string when it is not one. */
export function parseCidr(input: string): Cidr | string {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? '' : text.slice(slash + 1);
  const v4 = parseIpv4(addr);
  const v6 = v4 === undefined && addr.includes(':') ? parseIpv6(addr) : undefined;
  if (v4 === undefined && v6 === undefined) return `'${input}' is not an IPv4 or IPv6 address or CIDR block`;
  const max = v4 !== undefined ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return `'${input}': the prefix length must be 0..${max}`;
    prefix = Number(lenText);
  }
  const words = v4 !== undefined ? [v4] : (v6 as number[]);
  for (let i = 0; i < words.length; i++) {
    const keep = Math.max(0, Math.min(32, prefix - i * 32));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    if (((words[i] & ~mask) >>> 0) !== 0) {
      const net = words.map((w, j) => {
        const k = Math.max(0, Math.min(32, prefix - j * 32));
        return (w & (k === 0 ? 0 : k === 32 ? 0xffffffff : (0xffffffff << (32 - k)))) >>> 0;
      });
      return `'${input}' has host bits set after /${prefix}; did you mean ${formatNetwork(v4 !== undefined ? 4 : 6, net)}/${prefix}?`;
    }
  }
  return { ipVersion: v4 !== undefined ? 4 : 6, words, prefix, text };
}

function formatNetwork(ipv: 4 | 6, w: number[]): string {
  return addressToString(ipv, Int32Array.from(w, (x) => x | 0), 0);
}

/** A set of CIDR blocks, matched against addresses held as words. */
export class CidrList {
  readonly blocks: readonly Cidr[];
  private readonly trie: IpClassifier;

  constructor(blocks: readonly Cidr[]) {
    this.blocks = blocks;
    this.trie = new IpClassifier([], []);
    for (const b of blocks) {
      if (b.ipVersion === 4) this.trie.addV4(b.words[0] | 0, b.prefix, 1);
      else this.trie.addV6(b.words.map((x) => x | 0), b.prefix, 1);
    }
  }

  get empty(): boolean {
    return this.blocks.length === 0;
  }

  /** True when the address (ipVersion 4: addr[off]; 6: addr[off..off+3]) is in one of the blocks. */
  contains(ipVersion: number, addr: Int32Array, off: number): boolean {
    return this.blocks.length !== 0 && this.trie.lookup(ipVersion, addr, off) !== 0;
  }

  /** Same for an address in text form (for configuration checks and tests); false when it does not parse. */
  containsText(address: string): boolean {
    const c = parseCidr(address);
    if (typeof c === 'string') return false;
    const a = new Int32Array(4);
    c.words.forEach((w, i) => (a[i] = w | 0));
    return this.contains(c.ipVersion, a, 0);
  }

  static parse(texts: readonly string[]): CidrList {
    const blocks: Cidr[] = [];
    for (const t of texts) {
      const c = parseCidr(t);
      if (typeof c === 'string') throw new Error(c);
      blocks.push(c);
    }
    return new CidrList(blocks);
  }
}
