/**
 * Shared helpers for the decoding-stage tests: byte builders for every layer
 * src/decode understands (Ethernet, VLAN, MPLS, PPPoE, IPv4/IPv6 and
 * extension headers, TCP/UDP/ICMP/SCTP, GRE/ERSPAN/PPTP, GTP-U, VXLAN, CAPWAP,
 * TZSP, 802.11, radiotap, PPI, SLL/SLL2, BSD null/loop, PPP, Cisco HDLC),
 * address helpers matching DecodedPacket.addr (Int32 words, network order),
 * a snapshot of every DecodedPacket field, the truncation sweep every positive
 * fixture goes through, a catalog of fixtures shared with the fuzz test, and a
 * tiny classic-pcap reader for the corpus tests.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Decoder, DecoderOptions } from '../../src/decode/decoder';
import { DecodedPacket, DecodeResult, MALFORMED_NAMES } from '../../src/decode/packet';

// ---------------------------------------------------------------------------
// bytes

export type Bytes = Buffer | Uint8Array | readonly number[] | string;

/** Hex to bytes; whitespace, '|' and '.' separators are ignored ("45 00 | 00 3c"). */
export function hex(s: string): Buffer {
  const h = s.replace(/[\s|.]+/g, '');
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new Error(`bad hex: ${s}`);
  return Buffer.from(h, 'hex');
}

function toBuf(b: Bytes): Buffer {
  if (typeof b === 'string') return hex(b);
  if (Buffer.isBuffer(b)) return b;
  return Buffer.from(b as Uint8Array);
}

export function cat(...parts: Bytes[]): Buffer {
  return Buffer.concat(parts.map(toBuf));
}

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
export function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}
export function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** n bytes counting up from `start` (recognisable payloads). */
export function seqBytes(n: number, start = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

// ---------------------------------------------------------------------------
// addresses: DecodedPacket.addr holds [0..3] source and [4..7] destination as
// signed 32-bit words in network order; IPv4 uses words 0 and 4.

export function ip4bytes(s: string): Buffer {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4) throw new Error(`bad IPv4 ${s}`);
  return Buffer.from(parts);
}

export function ip6bytes(s: string): Buffer {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${s}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

/** The Int32 word(s) the decoder stores for an address. */
export function words(addr: string): number[] {
  const b = addr.includes(':') ? ip6bytes(addr) : ip4bytes(addr);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(b.readInt32BE(i));
  return out;
}

/** Expected contents of pkt.addr for a source and destination. */
export function addrWords(src: string, dst: string): number[] {
  const s = words(src);
  const d = words(dst);
  if (s.length === 1) return [s[0], 0, 0, 0, d[0], 0, 0, 0];
  return [...s, ...d];
}

/** Formats pkt.addr back into text (IPv6 without compression, lower case). */
export function fmtAddr(p: DecodedPacket): [string, string] {
  const a = p.addr;
  if (p.ipVersion === 4) {
    const f = (w: number) => [w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255].join('.');
    return [f(a[0]), f(a[4])];
  }
  const f = (base: number) => {
    const g: string[] = [];
    for (let i = 0; i < 4; i++) {
      const w = a[base + i] >>> 0;
      g.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
    }
    return g.join(':');
  };
  return [f(0), f(4)];
}

export interface FlowExpect {
  v: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  sport?: number;
  dport?: number;
}

/** Asserts the flow-key fields of the packet. */
export function assertFlow(p: DecodedPacket, e: FlowExpect, msg = ''): void {
  assert.equal(p.ipVersion, e.v, `${msg} ipVersion`);
  assert.deepEqual(Array.from(p.addr), addrWords(e.src, e.dst), `${msg} addresses: got ${fmtAddr(p).join(' -> ')}`);
  assert.equal(p.proto, e.proto, `${msg} proto`);
  assert.equal(p.srcPort, e.sport ?? 0, `${msg} srcPort`);
  assert.equal(p.dstPort, e.dport ?? 0, `${msg} dstPort`);
}

/** The bytes of the application payload view. */
export function payloadOf(p: DecodedPacket): Buffer {
  return p.buf.subarray(p.payloadOff, p.payloadOff + p.payloadLen);
}

// ---------------------------------------------------------------------------
// results

export const R = {
  Ok: 0 as DecodeResult,
  NotIp: 1 as DecodeResult,
  UnsupportedLink: 2 as DecodeResult,
  FragmentHeld: 3 as DecodeResult,
  Malformed: 4 as DecodeResult,
} as const;
export const RESULT_NAMES = ['Ok', 'NotIp', 'UnsupportedLink', 'FragmentHeld', 'Malformed'];

/** "Ok", "NotIp", ..., "Malformed:ipv4_truncated". */
export function outcome(d: Decoder, r: DecodeResult): string {
  const name = RESULT_NAMES[r] ?? `?${r}`;
  return r === R.Malformed ? `${name}:${MALFORMED_NAMES[d.pkt.malformed]}` : name;
}

export interface DecodeOpts {
  caplen?: number;
  wireLen?: number;
  tsMs?: number;
}

/** Decodes one frame (at offset 0 of its buffer). */
export function decode(d: Decoder, linkType: number, frame: Buffer, o: DecodeOpts = {}): DecodeResult {
  const caplen = o.caplen ?? frame.length;
  return d.decode(linkType, frame, 0, caplen, o.wireLen ?? frame.length, o.tsMs ?? 0);
}

/** Decodes with a fresh decoder, asserts the outcome ("Ok", "Malformed:udp_truncated" ...) and returns the packet. */
export function expectDecode(linkType: number, frame: Buffer, expected: string, o: DecodeOpts & { decoder?: DecoderOptions; msg?: string } = {}): DecodedPacket {
  const d = new Decoder(o.decoder);
  const r = decode(d, linkType, frame, o);
  assert.equal(outcome(d, r), expected, o.msg);
  return d.pkt;
}

/** Every DecodedPacket field as plain data (the buffer by identity is left out). */
export function snapshot(p: DecodedPacket, r: DecodeResult): Record<string, unknown> {
  return {
    r,
    malformed: p.malformed,
    linkType: p.linkType,
    wireLen: p.wireLen,
    uncaptured: p.uncaptured,
    vlanId: p.vlanId,
    tunnel: p.tunnel,
    depth: p.depth,
    ipVersion: p.ipVersion,
    ipOff: p.ipOff,
    ttl: p.ttl,
    addr: Array.from(p.addr),
    proto: p.proto,
    l4Off: p.l4Off,
    l4Len: p.l4Len,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    tcpFlags: p.tcpFlags,
    tcpSeq: p.tcpSeq,
    tcpAck: p.tcpAck,
    tcpWindow: p.tcpWindow,
    tcpOptOff: p.tcpOptOff,
    tcpOptLen: p.tcpOptLen,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    payloadOff: p.payloadOff,
    payloadLen: p.payloadLen,
    reassembled: p.reassembled,
    fragment: p.fragment,
    frames: p.frames,
    frameBytes: p.frameBytes,
  };
}

/** The flow-key part of a packet as one string. */
export function keyOf(p: DecodedPacket): string {
  return `v${p.ipVersion} ${fmtAddr(p).join('>')} p${p.proto} ${p.srcPort}>${p.dstPort}`;
}

export function keyOfFlow(e: FlowExpect): string {
  const norm = (a: string) => {
    const w = words(a);
    if (w.length === 1) return a;
    const g: string[] = [];
    for (const x of w) g.push(((x >>> 0) >>> 16).toString(16), ((x >>> 0) & 0xffff).toString(16));
    return g.join(':');
  };
  return `v${e.v} ${norm(e.src)}>${norm(e.dst)} p${e.proto} ${e.sport ?? 0}>${e.dport ?? 0}`;
}

/**
 * Generic invariants of one decode: a DecodeResult value, a recorded reason
 * for Malformed, and (for Ok) an IP version and views inside the captured
 * bytes (or inside the reassembly buffer for a reassembled datagram).
 */
export function checkInvariants(d: Decoder, r: DecodeResult, buf: Buffer, off: number, caplen: number, ctx: string): void {
  const p = d.pkt;
  assert.ok(Number.isInteger(r) && r >= 0 && r <= 4, `${ctx}: result ${r} is not a DecodeResult`);
  if (r === R.Malformed) assert.ok(p.malformed > 0 && p.malformed < MALFORMED_NAMES.length, `${ctx}: Malformed without a reason (${p.malformed})`);
  if (r !== R.Ok) return;
  assert.ok(p.ipVersion === 4 || p.ipVersion === 6, `${ctx}: Ok with ipVersion ${p.ipVersion}`);
  assert.ok(p.payloadOff >= 0 && p.payloadLen >= 0, `${ctx}: negative payload view ${p.payloadOff}/${p.payloadLen}`);
  assert.ok(p.payloadOff + p.payloadLen <= p.buf.length, `${ctx}: payload view ${p.payloadOff}+${p.payloadLen} beyond buffer ${p.buf.length}`);
  if (!p.reassembled) {
    assert.equal(p.buf, buf, `${ctx}: payload buffer is not the frame's buffer`);
    if (p.payloadLen > 0) assert.ok(p.payloadOff >= off && p.payloadOff + p.payloadLen <= off + caplen, `${ctx}: payload view ${p.payloadOff}+${p.payloadLen} outside the captured bytes [${off}, ${off + caplen})`);
    if (p.tcpOptLen > 0) assert.ok(p.tcpOptOff >= off && p.tcpOptOff + p.tcpOptLen <= off + caplen, `${ctx}: TCP options view outside the capture`);
  }
}

export interface SweepOptions {
  decoder?: DecoderOptions;
  /** Flow keys (keyOfFlow) an Ok prefix may have besides the full frame's, e.g. a tunnel's outer flow. */
  allowedKeys?: FlowExpect[];
  /** Fixed cut points: caplen → expected outcome() with wireLen = full length and with wireLen = caplen. */
  cuts?: Array<[caplen: number, snapCut: string, shortFrame: string]>;
}

/**
 * Truncation at every offset: decodes every prefix of `frame` (caplen 0..len)
 * both as a snap-length cut (wireLen = len) and as a frame that really is that
 * short (wireLen = caplen). Each decode must not throw, must return a
 * DecodeResult, must keep its views inside the captured bytes, and an Ok
 * result must carry the full frame's flow key or an allowed outer one (no
 * garbage keys). Over-reads past caplen are detected by decoding each prefix
 * three times — in the whole frame's buffer, and copied into buffers padded
 * with 0x00 and with 0xff — and requiring identical snapshots.
 */
export function sweepTruncation(linkType: number, frame: Buffer, o: SweepOptions = {}): void {
  const full = new Decoder(o.decoder);
  const rFull = decode(full, linkType, frame);
  assert.equal(outcome(full, rFull), 'Ok', 'the sweep needs a fixture that decodes Ok');
  const allowed = new Set<string>([keyOf(full.pkt), ...(o.allowedKeys ?? []).map(keyOfFlow)]);
  const ds = [new Decoder(o.decoder), new Decoder(o.decoder), new Decoder(o.decoder)];
  const cutAt = new Map<number, [string, string]>();
  for (const [c, a, b] of o.cuts ?? []) cutAt.set(c, [a, b]);
  for (let caplen = 0; caplen <= frame.length; caplen++) {
    const pad0 = Buffer.alloc(caplen + 64, 0x00);
    const padF = Buffer.alloc(caplen + 64, 0xff);
    frame.copy(pad0, 0, 0, caplen);
    frame.copy(padF, 0, 0, caplen);
    for (const wireLen of [frame.length, caplen]) {
      const ctx = `link ${linkType} caplen ${caplen}/${frame.length} wireLen ${wireLen}`;
      const snaps: Record<string, unknown>[] = [];
      const bufs = [frame, pad0, padF];
      let first = '';
      for (let i = 0; i < 3; i++) {
        let r: DecodeResult;
        try {
          r = ds[i].decode(linkType, bufs[i], 0, caplen, wireLen, 0);
        } catch (err) {
          assert.fail(`${ctx}: decode threw ${(err as Error).stack}`);
        }
        checkInvariants(ds[i], r, bufs[i], 0, caplen, ctx);
        if (r === R.Ok && !ds[i].pkt.reassembled) {
          assert.ok(allowed.has(keyOf(ds[i].pkt)), `${ctx}: Ok with an unexpected flow key ${keyOf(ds[i].pkt)} (allowed: ${[...allowed].join(' | ')})`);
        }
        snaps.push(snapshot(ds[i].pkt, r));
        if (i === 0) first = outcome(ds[0], r);
      }
      assert.deepEqual(snaps[1], snaps[0], `${ctx}: result depends on bytes past caplen (0x00 padding)`);
      assert.deepEqual(snaps[2], snaps[0], `${ctx}: result depends on bytes past caplen (0xff padding)`);
      const want = cutAt.get(caplen);
      if (want) assert.equal(first, wireLen === frame.length && caplen !== frame.length ? want[0] : want[1], `${ctx}: outcome at this cut point`);
    }
  }
}

// ---------------------------------------------------------------------------
// link layers

export const MAC_DST = '00 1b 21 3a 4f 01';
export const MAC_SRC = '3c fd fe 9a 8b 02';

export interface VlanTag {
  tpid?: number;
  id: number;
  pcp?: number;
}

/** Ethernet II: dst, src, [tags], type, payload. */
export function eth(type: number, payload: Bytes, vlans: VlanTag[] = []): Buffer {
  const parts: Bytes[] = [MAC_DST, MAC_SRC];
  for (const v of vlans) parts.push(u16(v.tpid ?? 0x8100), u16(((v.pcp ?? 0) << 13) | v.id));
  parts.push(u16(type), payload);
  return cat(...parts);
}

/** IEEE 802.3: dst, src, length, LLC payload. */
export function eth8023(llc: Bytes): Buffer {
  const b = toBuf(llc);
  return cat(MAC_DST, MAC_SRC, u16(b.length), b);
}

/** 802.2 LLC + SNAP (AA AA 03, OUI 00 00 00) and an EtherType. */
export function snap(type: number, payload: Bytes, oui = '00 00 00'): Buffer {
  return cat('aa aa 03', oui, u16(type), payload);
}

export interface Dot11Options {
  /** Subtype (default 8, QoS data, when qos; 0 otherwise). */
  subtype?: number;
  type?: number;
  qos?: boolean;
  toDs?: boolean;
  fromDs?: boolean;
  protectedFrame?: boolean;
  retry?: boolean;
  /** Order bit: with QoS, an HT control field follows. */
  htc?: boolean;
  amsdu?: boolean;
  /** Write the two frame-control bytes swapped (Cisco CAPWAP). */
  swapped?: boolean;
}

/** An 802.11 MAC header (+ QoS/HT control) followed by `body`. */
export function dot11(o: Dot11Options, body: Bytes): Buffer {
  const qos = o.qos ?? false;
  const subtype = o.subtype ?? (qos ? 8 : 0);
  const type = o.type ?? 2;
  const fc0 = (subtype << 4) | (type << 2);
  const fc1 = (o.toDs ? 1 : 0) | (o.fromDs ? 2 : 0) | (o.retry ? 8 : 0) | (o.protectedFrame ? 0x40 : 0) | (o.htc ? 0x80 : 0);
  const parts: Bytes[] = [o.swapped ? [fc1, fc0] : [fc0, fc1], '2c 00', 'a1 a1 a1 a1 a1 01', 'b2 b2 b2 b2 b2 02', 'c3 c3 c3 c3 c3 03', '10 00'];
  if (o.toDs && o.fromDs) parts.push('d4 d4 d4 d4 d4 04');
  if (qos) parts.push([o.amsdu ? 0x80 : 0x00, 0x00]);
  if (qos && o.htc) parts.push('00 00 00 00');
  parts.push(body);
  return cat(...parts);
}

/** Radiotap header of `len` bytes (version 0, present bitmap with the flags field). */
export function radiotap(inner: Bytes, len = 12): Buffer {
  const h = Buffer.alloc(len);
  h.writeUInt16LE(len, 2);
  h.writeUInt32LE(0x00000002, 4); // flags present
  return cat(h, inner);
}

/** PPI header (version 0, no fields unless `extra`), DLT little-endian. */
export function ppi(dlt: number, inner: Bytes, extra: Bytes = ''): Buffer {
  const x = toBuf(extra);
  return cat('00 00', u16le(8 + x.length), u32le(dlt), x, inner);
}

/** Linux cooked capture v1: packet type, ARPHRD, address length, address (8), protocol. */
export function sll(proto: number, inner: Bytes, arphrd = 1): Buffer {
  return cat('00 00', u16(arphrd), '00 06', MAC_SRC, '00 00', u16(proto), inner);
}

/** Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8). */
export function sll2(proto: number, inner: Bytes, arphrd = 1): Buffer {
  return cat(u16(proto), '00 00', '00 00 00 02', u16(arphrd), '00', '06', MAC_SRC, '00 00', inner);
}

/** BSD null / loop header: a 4-byte address family in the given byte order. */
export function nullHdr(family: number, inner: Bytes, littleEndian: boolean): Buffer {
  return cat(littleEndian ? u32le(family) : u32(family), inner);
}

// ---------------------------------------------------------------------------
// network layer

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Override the total length field. */
  totalLen?: number;
  /** Override the IHL nibble (header words). */
  ihl?: number;
  version?: number;
  options?: Bytes;
  tos?: number;
}

/** An IPv4 header (with a correct checksum) followed by `payload`. */
export function ipv4(o: Ipv4Options, payload: Bytes): Buffer {
  const opts = toBuf(o.options ?? '');
  if (opts.length % 4 !== 0) throw new Error('IPv4 options must be a multiple of 4 bytes');
  const pl = toBuf(payload);
  const hl = 20 + opts.length;
  const h = Buffer.alloc(hl);
  h[0] = ((o.version ?? 4) << 4) | (o.ihl ?? hl >> 2);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(o.totalLen ?? hl + pl.length, 2);
  h.writeUInt16BE(o.id ?? 0x1c46, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  ip4bytes(o.src).copy(h, 12);
  ip4bytes(o.dst).copy(h, 16);
  opts.copy(h, 20);
  let sum = 0;
  for (let i = 0; i < hl; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return cat(h, pl);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  next: number;
  hopLimit?: number;
  /** Override the payload length field. */
  plen?: number;
  flow?: number;
  version?: number;
}

export function ipv6(o: Ipv6Options, payload: Bytes): Buffer {
  const pl = toBuf(payload);
  const h = Buffer.alloc(40);
  h.writeUInt32BE((((o.version ?? 6) << 28) | (o.flow ?? 0x0a1b2)) >>> 0, 0);
  h.writeUInt16BE(o.plen ?? pl.length, 4);
  h[6] = o.next;
  h[7] = o.hopLimit ?? 64;
  ip6bytes(o.src).copy(h, 8);
  ip6bytes(o.dst).copy(h, 24);
  return cat(h, pl);
}

/** A generic IPv6 extension header (hop-by-hop, routing, destination options ...): 8*(units+1) bytes. */
export function ext6(next: number, payload: Bytes, units = 0): Buffer {
  const len = (units + 1) * 8;
  const h = Buffer.alloc(len);
  h[0] = next;
  h[1] = units;
  if (len > 2) h.fill(0x01, 2, 4); // a PadN option header
  return cat(h, payload);
}

/** An AH header (RFC 4302) with a 12-byte ICV: length field 4 → (4+2)*4 = 24 bytes. */
export function ah(next: number, payload: Bytes): Buffer {
  return cat(u8(next), '04 00 00', '00 00 10 01', '00 00 00 2a', 'aa bb cc dd ee ff 00 11 22 33 44 55', payload);
}

/** The IPv6 fragment header. */
export function frag6(next: number, offsetBytes: number, more: boolean, id: number, payload: Bytes): Buffer {
  return cat(u8(next), '00', u16(offsetBytes | (more ? 1 : 0)), u32(id), payload);
}

// ---------------------------------------------------------------------------
// transport

export interface TcpOptions {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  win?: number;
  options?: Bytes;
  /** Override the data offset nibble (header words). */
  dataOffset?: number;
  ns?: boolean;
}

export function tcp(o: TcpOptions, payload: Bytes = ''): Buffer {
  const opts = toBuf(o.options ?? '');
  if (opts.length % 4 !== 0) throw new Error('TCP options must be a multiple of 4 bytes');
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt32BE((o.seq ?? 0) >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = ((o.dataOffset ?? (20 + opts.length) >> 2) << 4) | (o.ns ? 1 : 0);
  h[13] = o.flags ?? 0x18;
  h.writeUInt16BE(o.win ?? 0xffff, 14);
  return cat(h, opts, payload);
}

export function udp(sport: number, dport: number, payload: Bytes, len?: number): Buffer {
  const pl = toBuf(payload);
  return cat(u16(sport), u16(dport), u16(len ?? 8 + pl.length), '00 00', pl);
}

// ---------------------------------------------------------------------------
// tunnels

export interface GreOptions {
  proto: number;
  checksum?: boolean;
  key?: number;
  seq?: number;
  routing?: boolean;
  version?: number;
  /** PPTP acknowledgement number (version 1). */
  ack?: number;
  /** PPTP call id (version 1). */
  callId?: number;
}

/** GRE (RFC 2784/2890) or, with version 1, PPTP's enhanced GRE (key = payload length + call id). */
export function gre(o: GreOptions, payload: Bytes): Buffer {
  const pl = toBuf(payload);
  const version = o.version ?? 0;
  let f0 = 0;
  let f1 = version;
  const rest: Bytes[] = [];
  if (o.checksum) { f0 |= 0x80; rest.push('00 00 00 00'); }
  if (o.routing) f0 |= 0x40;
  if (version === 1) {
    f0 |= 0x20;
    rest.push(u16(pl.length), u16(o.callId ?? 0x4001));
  } else if (o.key !== undefined) {
    f0 |= 0x20;
    rest.push(u32(o.key));
  }
  if (o.seq !== undefined) { f0 |= 0x10; rest.push(u32(o.seq)); }
  if (o.ack !== undefined) { f1 |= 0x80; rest.push(u32(o.ack)); }
  return cat([f0, f1], u16(o.proto), ...rest, pl);
}

/** ERSPAN type II header (8 bytes): version 1, VLAN, session id, index. */
export function erspan2(inner: Bytes): Buffer {
  return cat('10 64 00 2a', '00 00 00 07', inner);
}

/** ERSPAN type III header (12 bytes) and, with `platform`, the 8-byte platform-specific sub-header (O bit). */
export function erspan3(inner: Bytes, platform: boolean): Buffer {
  return cat('20 64 00 2a', '5e 2d 11 00', '00 00', platform ? '00 01' : '00 00', platform ? '0f 00 00 00 00 00 00 00' : '', inner);
}

export interface GtpOptions {
  teid?: number;
  msgType?: number;
  seq?: number;
  /** Extension headers, each given as its content after the length byte, without the next-type byte. */
  ext?: Array<{ type: number; content: Bytes }>;
  flags?: number;
}

/** GTP-U v1; with seq or ext the optional word and the extension chain are written. */
export function gtpu(o: GtpOptions, payload: Bytes): Buffer {
  const pl = toBuf(payload);
  const exts = o.ext ?? [];
  const optional = o.seq !== undefined || exts.length > 0;
  let flags = o.flags ?? 0x30;
  if (o.flags === undefined) {
    if (o.seq !== undefined) flags |= 0x02;
    if (exts.length > 0) flags |= 0x04;
  }
  const tail: Bytes[] = [];
  if (optional) tail.push(u16(o.seq ?? 0), '00', u8(exts.length > 0 ? exts[0].type : 0));
  exts.forEach((e, i) => {
    const c = toBuf(e.content);
    const total = c.length + 2;
    if (total % 4 !== 0) throw new Error('GTP extension header must be a multiple of 4 bytes');
    tail.push(u8(total / 4), c, u8(i + 1 < exts.length ? exts[i + 1].type : 0));
  });
  const body = cat(...tail, pl);
  return cat(u8(flags), u8(o.msgType ?? 0xff), u16(body.length), u32(o.teid ?? 0x1f2e3d4c), body);
}

export function vxlan(vni: number, inner: Bytes, flags = 0x08): Buffer {
  return cat(u8(flags), '00 00 00', u32(vni << 8), inner);
}

export interface CapwapOptions {
  /** First byte: version/type (1 = DTLS preamble). */
  preamble?: number;
  /** Header length in 4-byte words (>= 2). */
  hlen?: number;
  wbid?: number;
  t?: boolean;
  f?: boolean;
  k?: boolean;
}

/** A CAPWAP data header; words beyond the 8 fixed bytes are zero. */
export function capwap(o: CapwapOptions, inner: Bytes): Buffer {
  const hlen = o.hlen ?? 2;
  const w = (hlen << 19) | ((o.wbid ?? 1) << 9) | (o.t ? 0x100 : 0) | (o.f ? 0x80 : 0) | (o.k ? 0x08 : 0);
  const h = Buffer.alloc(hlen * 4);
  h[0] = o.preamble ?? 0;
  h[1] = (w >> 16) & 0xff;
  h[2] = (w >> 8) & 0xff;
  h[3] = w & 0xff;
  return cat(h, inner);
}

/** TZSP: version, type, encapsulation, tagged fields (ending with END unless given), frame. */
export function tzsp(encap: number, tags: Bytes, inner: Bytes, version = 1, type = 0): Buffer {
  return cat(u8(version), u8(type), u16(encap), tags, inner);
}

/** An MPLS label stack (bottom-of-stack set on the last). */
export function mpls(labels: number[], payload: Bytes): Buffer {
  return cat(...labels.map((l, i) => u32(((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0)), payload);
}

/** A PPPoE session header (ver/type 0x11, code 0, session 0x1234) and a 2-byte PPP protocol. */
export function pppoe(proto: number, payload: Bytes, opts: { len?: number; verType?: number } = {}): Buffer {
  const pl = toBuf(payload);
  return cat(u8(opts.verType ?? 0x11), '00 12 34', u16(opts.len ?? pl.length + 2), u16(proto), pl);
}

// ---------------------------------------------------------------------------
// the shared fixture catalog

export const A = { c4: '192.168.1.10', s4: '203.0.113.80', c6: '2001:db8:aaaa::10', s6: '2001:db8:bbbb::80:1' };
/** Outer (tunnel endpoint) addresses. */
export const T = { a4: '10.255.0.1', b4: '10.255.0.2', a6: 'fd00:1::1', b6: 'fd00:1::2' };

/** A TCP segment with options (MSS, SACK-permitted, timestamps, NOP, window scale) and 5 bytes of data. */
export function tcpSyn(): Buffer {
  return tcp({ sport: 51514, dport: 443, seq: 0xdeadbeef, ack: 0x01020304, flags: 0x12, win: 64240, options: '02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07' }, Buffer.from('hello'));
}

export function inner4tcp(): Buffer {
  return ipv4({ src: A.c4, dst: A.s4, proto: 6, ttl: 63 }, tcpSyn());
}
export function inner4udp(): Buffer {
  return ipv4({ src: A.c4, dst: A.s4, proto: 17, ttl: 63 }, udp(5353, 53, seqBytes(20)));
}
export function inner6udp(): Buffer {
  return ipv6({ src: A.c6, dst: A.s6, next: 17, hopLimit: 61 }, udp(40000, 443, seqBytes(24)));
}
export function inner6tcp(): Buffer {
  return ipv6({ src: A.c6, dst: A.s6, next: 6, hopLimit: 61 }, tcpSyn());
}
export function outer4udp(sport: number, dport: number, payload: Bytes): Buffer {
  return eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(sport, dport, payload)));
}

export interface CatalogEntry {
  name: string;
  linkType: number;
  frame: Buffer;
}

/** Fixtures from every layer, for the fuzz test's mutations. */
export function catalog(): CatalogEntry[] {
  const e = (name: string, linkType: number, frame: Buffer): CatalogEntry => ({ name, linkType, frame });
  const arp = hex('0001 0800 0604 0001 001b213a4f01 c0a8010a 000000000000 c0a80101');
  return [
    e('eth-ipv4-tcp', 1, eth(0x0800, inner4tcp())),
    e('eth-ipv6-udp', 1, eth(0x86dd, inner6udp())),
    e('eth-qinq-ipv4', 1, eth(0x0800, inner4udp(), [{ tpid: 0x88a8, id: 100 }, { id: 200 }])),
    e('eth-8023-snap', 1, eth8023(snap(0x0800, inner4udp()))),
    e('eth-arp', 1, eth(0x0806, arp)),
    e('eth-mpls-ipv6', 1, eth(0x8847, mpls([16, 17], inner6tcp()))),
    e('eth-mpls-pw', 1, eth(0x8847, mpls([100], cat('00 00 00 00', eth(0x0800, inner4udp()))))),
    e('eth-pppoe-ipv4', 1, eth(0x8864, pppoe(0x0021, inner4tcp()))),
    e('eth-ipv6-ext', 1, eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 0 }, ext6(43, ext6(60, ext6(51, ah(6, tcpSyn())), 1), 0)))),
    e('eth-ipv4-icmp', 1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 1 }, '08 00 f7 ff 00 01 00 01 61 62 63 64'))),
    e('eth-ipv4-sctp', 1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 132 }, cat('0b 59 0b 59 00 00 00 00 00 00 00 00', seqBytes(16))))),
    e('raw-ipv4', 101, inner4tcp()),
    e('raw-ipv6', 229, inner6udp()),
    e('sll-ipv4', 113, sll(0x0800, inner4udp())),
    e('sll2-ipv6', 276, sll2(0x86dd, inner6tcp())),
    e('null-le-ipv6', 0, nullHdr(30, inner6udp(), true)),
    e('loop-ipv4', 108, nullHdr(2, inner4tcp(), false)),
    e('ppp-ipv4', 9, cat('ff 03 00 21', inner4udp())),
    e('ppp-hdlc', 9, cat('0f 00 08 00', inner4tcp())),
    e('chdlc-ipv6', 104, cat('0f 00 86 dd', inner6udp())),
    e('ppi-eth', 192, ppi(1, eth(0x0800, inner4tcp()))),
    e('dot11-qos', 105, dot11({ qos: true, toDs: true }, snap(0x0800, inner4udp()))),
    e('radiotap-dot11', 127, radiotap(dot11({ fromDs: true }, snap(0x86dd, inner6udp())))),
    e('gtp-ipv4', 1, outer4udp(2152, 2152, gtpu({ seq: 7, ext: [{ type: 0x85, content: '00 09' }] }, inner4tcp()))),
    e('gtp-ipv6', 1, outer4udp(40001, 2152, gtpu({}, inner6udp()))),
    e('vxlan', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 17 }, udp(51000, 4789, vxlan(42, eth(0x0800, inner4tcp())))), [{ id: 300 }])),
    e('gre-keyseq', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47 }, gre({ proto: 0x0800, key: 0x1234, seq: 9 }, inner4udp())))),
    e('gre-teb', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47 }, gre({ proto: 0x6558 }, eth(0x86dd, inner6tcp()))))),
    e('erspan2', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47 }, gre({ proto: 0x88be, seq: 1 }, erspan2(eth(0x0800, inner4tcp())))))),
    e('erspan3', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47 }, gre({ proto: 0x22eb, seq: 1 }, erspan3(eth(0x0800, inner4udp()), true))))),
    e('pptp', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 47 }, gre({ proto: 0x880b, version: 1, seq: 3, ack: 2 }, cat('ff 03 00 21', inner4tcp()))))),
    e('ipip', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 4 }, inner4tcp()))),
    e('6in4', 1, eth(0x0800, ipv4({ src: T.a4, dst: T.b4, proto: 41 }, inner6tcp()))),
    e('4in6', 1, eth(0x86dd, ipv6({ src: T.a6, dst: T.b6, next: 4 }, inner4udp()))),
    e('capwap-8023', 1, outer4udp(5247, 5247, capwap({ hlen: 4, wbid: 1 }, eth(0x0800, inner4udp())))),
    e('capwap-80211-swapped', 1, outer4udp(5247, 5247, capwap({ wbid: 1, t: true }, dot11({ qos: true, toDs: true, swapped: true }, snap(0x0800, inner4tcp()))))),
    e('tzsp-eth', 1, outer4udp(40002, 37008, tzsp(1, '0a 01 c4 00 01', eth(0x0800, inner4udp())))),
    e('tzsp-80211', 1, outer4udp(40002, 37008, tzsp(18, '01', dot11({ qos: true }, snap(0x0800, inner4udp()))))),
    e('ipv4-frag-first', 1, eth(0x0800, ipv4({ src: A.c4, dst: A.s4, proto: 17, id: 77, mf: true }, udp(1000, 2000, seqBytes(40), 8 + 80).subarray(0, 48)))),
    e('ipv6-frag-first', 1, eth(0x86dd, ipv6({ src: A.c6, dst: A.s6, next: 44 }, frag6(17, 0, true, 99, udp(1000, 2000, seqBytes(80)).subarray(0, 48))))),
  ];
}

// ---------------------------------------------------------------------------
// pcap corpus

export const CORPUS = '/work/shared/corpus/ndpi/pcap';

export interface PcapFrame {
  data: Buffer;
  wireLen: number;
  tsMs: number;
}

/** A tiny classic-pcap reader (either byte order, µs or ns timestamps). */
export function readPcap(path: string): { linkType: number; frames: PcapFrame[] } {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  let le: boolean;
  let nsec = false;
  if (magic === 0xa1b2c3d4) le = true;
  else if (magic === 0xa1b23c4d) { le = true; nsec = true; }
  else if (magic === 0xd4c3b2a1) le = false;
  else if (magic === 0x4d3cb2a1) { le = false; nsec = true; }
  else throw new Error(`${path}: not a classic pcap file`);
  const r32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = r32(20) & 0xffff;
  const frames: PcapFrame[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const sec = r32(o);
    const frac = r32(o + 4);
    const caplen = r32(o + 8);
    const wire = r32(o + 12);
    o += 16;
    if (o + caplen > b.length) break;
    frames.push({ data: b.subarray(o, o + caplen), wireLen: Math.max(wire, caplen), tsMs: sec * 1000 + (nsec ? frac / 1e6 : frac / 1e3) });
    o += caplen;
  }
  return { linkType, frames };
}
