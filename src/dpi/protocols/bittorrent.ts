/**
 * BitTorrent, from the BitTorrent Enhancement Proposals:
 *  - TCP peer wire handshake (BEP 3): "\x13BitTorrent protocol", 8 reserved
 *    bytes, the 20-byte info-hash (reported as 'bt_hash', 40 lowercase hex
 *    digits) and the peer id. It is looked for at the start of each of the
 *    first segments, so a handshake that follows a Message Stream Encryption
 *    key exchange negotiated to plaintext is found too;
 *  - HTTP tracker requests (BEP 3, BEP 48 scrape) and web seeds (BEP 17):
 *    "GET /announce?", "GET /scrape?", "GET /webseed?" with an info_hash
 *    parameter (percent-decoded into 'bt_hash');
 *  - DHT (BEP 5): bencoded KRPC dictionaries ("d1:ad2:id20:", "d1:rd2:id20:",
 *    "d1:eli", "d2:ip6:...") carrying the "1:y1:q|r|e" message type;
 *  - uTP (BEP 29): the 20-byte header (type 0-4, version 1, extension 0-2)
 *    confirmed by a second packet of the same connection (ST_STATE answering
 *    an ST_SYN with the same connection id and its sequence number acked, or
 *    two packets of one direction with one connection id and consecutive
 *    sequence numbers);
 *  - UDP tracker protocol (BEP 15): connect request with the protocol id
 *    0x41727101980, connect response echoing its transaction id, announce
 *    (info-hash at offset 16);
 *  - Local Service Discovery (BEP 14): "BT-SEARCH * HTTP/1.1".
 * Ignores: encrypted (MSE) streams that never fall back to plaintext, and
 * everything after the handshake.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, be32, indexOf, startsWith } from '../bytes';

const HANDSHAKE = ascii('\x13BitTorrent protocol');
const GET_ANNOUNCE = ascii('GET /announce?');
const GET_SCRAPE = ascii('GET /scrape?');
const GET_WEBSEED = ascii('GET /webseed?');
const INFO_HASH = ascii('info_hash=');
const BT_SEARCH = ascii('BT-SEARCH * HTTP/1.1\r\n');
const DHT_TYPE = ascii('1:y1:');
const DHT_ID = ascii('2:id20:');

/** How many payload packets an MSE-looking TCP flow is watched for a plaintext handshake. */
const MSE_WATCH = 10;

const enum Kind {
  None = 0,
  /** TCP flow whose first packet looks like an MSE key exchange. */
  Mse = 1,
  /** uTP candidate. */
  Utp = 2,
  /** UDP tracker connect request seen. */
  Tracker = 3,
}

interface BtState {
  kind: Kind;
  /** uTP: connection id, type and seq_nr of the first packet and its direction. */
  connId: number;
  type: number;
  seq: number;
  dir: Dir;
  /** UDP tracker: transaction id of the connect request. */
  txId: number;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The percent-encoded info_hash value at buf[p, end) as 40 hex digits, or undefined. */
function decodeInfoHash(buf: Buffer, p: number, end: number): string | undefined {
  const out = Buffer.alloc(20);
  let n = 0;
  while (p < end && n < 20) {
    const c = buf[p];
    if (c === 38 || c === 32 || c === 13) break;
    if (c === 37) {
      if (p + 2 >= end) return undefined;
      const h = hexDigit(buf[p + 1]);
      const l = hexDigit(buf[p + 2]);
      if (h < 0 || l < 0) return undefined;
      out[n++] = (h << 4) | l;
      p += 3;
    } else {
      out[n++] = c;
      p++;
    }
  }
  return n === 20 ? out.toString('hex') : undefined;
}

/** uTP header check (BEP 29): returns the packet type, or -1. */
function utpType(buf: Buffer, off: number, len: number): number {
  if (len < 20) return -1;
  const b0 = buf[off];
  const type = b0 >> 4;
  if ((b0 & 0x0f) !== 1 || type > 4) return -1;
  // Extension chain: each extension is (next type, length, data).
  let ext = buf[off + 1];
  let p = off + 20;
  const end = off + len;
  let guard = 0;
  while (ext !== 0) {
    if (ext > 4 || p + 2 > end || ++guard > 4) return -1;
    const next = buf[p];
    const elen = buf[p + 1];
    if (ext === 1 && (elen < 4 || (elen & 3) !== 0)) return -1;
    p += 2 + elen;
    if (p > end) return -1;
    ext = next;
  }
  // ST_SYN and ST_STATE carry no data.
  if ((type === 4 || type === 2) && p !== end) return -1;
  return type;
}

function isDht(buf: Buffer, off: number, len: number): boolean {
  if (len < 12 || buf[off] !== 100 /* d */) return false;
  const end = off + len;
  const b1 = buf[off + 1];
  const b2 = buf[off + 2];
  const b3 = buf[off + 3];
  // First key of the dictionary (keys are sorted): 1:a, 1:e, 1:r, 2:ip, 1:t.
  const firstKey = (b1 === 49 && b2 === 58 && (b3 === 97 || b3 === 101 || b3 === 114 || b3 === 116)) ||
    (b1 === 50 && b2 === 58 && b3 === 105 && buf[off + 4] === 112);
  if (!firstKey) return false;
  const t = indexOf(buf, off, end, DHT_TYPE);
  if (t < 0 || t + 6 > end) return indexOf(buf, off, Math.min(end, off + 40), DHT_ID) >= 0;
  const y = buf[t + 5];
  return y === 113 || y === 114 || y === 101;
}

function detectTcp(ctx: DissectContext, st: BtState | undefined): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  if (buf[off] === 0x13) {
    const n = Math.min(ctx.len, HANDSHAKE.length);
    let same = true;
    for (let i = 1; i < n; i++) if (buf[off + i] !== HANDSHAKE[i]) same = false;
    if (same && n === HANDSHAKE.length) {
      ctx.detect(P.BitTorrent);
      if (ctx.len >= 48) ctx.set('bt_hash', buf.toString('hex', off + 28, off + 48));
      return Verdict.Done;
    }
    if (same) return Verdict.Continue;
    return st === undefined ? Verdict.Exclude : Verdict.Continue;
  }
  if (st !== undefined) return Verdict.Continue;
  if (ctx.flowIndex > 0) return Verdict.Exclude;
  if (buf[off] === 71 /* G */) {
    let q = -1;
    if (startsWith(buf, off, end, GET_ANNOUNCE)) q = off + GET_ANNOUNCE.length;
    else if (startsWith(buf, off, end, GET_SCRAPE)) q = off + GET_SCRAPE.length;
    else if (startsWith(buf, off, end, GET_WEBSEED)) q = off + GET_WEBSEED.length;
    if (q < 0) return Verdict.Exclude;
    const ih = indexOf(buf, q, Math.min(end, q + 2048), INFO_HASH);
    if (ih < 0) return Verdict.Exclude;
    ctx.detect(P.BitTorrent);
    const hash = decodeInfoHash(buf, ih + INFO_HASH.length, end);
    if (hash !== undefined) ctx.set('bt_hash', hash);
    return Verdict.Done;
  }
  // Message Stream Encryption starts with a 96-byte Diffie-Hellman value and up to 512 bytes of padding.
  if (ctx.dir === Dir.C2S && ctx.len >= 96 && ctx.len <= 608) {
    const b0 = buf[off];
    const b1 = buf[off + 1];
    const tlsRecord = b0 >= 20 && b0 <= 23 && b1 === 3;
    const text = b0 >= 32 && b0 < 127 && b1 >= 32 && b1 < 127 && buf[off + 2] >= 32 && buf[off + 2] < 127;
    if (tlsRecord || text) return Verdict.Exclude;
    ctx.state = { kind: Kind.Mse, connId: 0, type: 0, seq: 0, dir: Dir.C2S, txId: 0 } satisfies BtState;
    return Verdict.Continue;
  }
  return Verdict.Exclude;
}

/** uTP: does this packet confirm the connection the first one started? */
function utpConfirms(st: BtState, dir: Dir, type: number, connId: number, seq: number, ack: number): boolean {
  if (dir !== st.dir) {
    // ST_STATE answering ST_SYN: the same connection id, acking the SYN's seq_nr.
    if (st.type === 4) return type === 2 && connId === st.connId && ack === st.seq;
    // On an established connection each side sends the other's id: they differ by one.
    return type !== 4 && (connId === ((st.connId + 1) & 0xffff) || connId === ((st.connId - 1) & 0xffff));
  }
  const d = (seq - st.seq) & 0xffff;
  return type !== 4 && connId === st.connId && d >= 1 && d <= 4;
}

function detectUdp(ctx: DissectContext, st: BtState | undefined): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const len = ctx.len;
  const end = off + len;
  const b0 = buf[off];
  if (b0 === 100 && isDht(buf, off, len)) {
    ctx.detect(P.BitTorrent);
    return Verdict.Done;
  }
  if (b0 === 66 && startsWith(buf, off, end, BT_SEARCH)) {
    ctx.detect(P.BitTorrent);
    return Verdict.Done;
  }
  if (st !== undefined && st.kind === Kind.Tracker) {
    // Connect response: action 0, the request's transaction id, a connection id.
    if (ctx.dir !== st.dir && len >= 16 && be32(buf, off) === 0 && be32(buf, off + 4) === st.txId) {
      ctx.detect(P.BitTorrent);
      return Verdict.Done;
    }
    return ctx.flowIndex < 4 ? Verdict.Continue : Verdict.Exclude;
  }
  // UDP tracker connect request (BEP 15): protocol id, action 0, transaction id.
  if (len === 16 && be32(buf, off) === 0x417 && be32(buf, off + 4) === 0x27101980 && be32(buf, off + 8) === 0) {
    ctx.state = { kind: Kind.Tracker, connId: 0, type: 0, seq: 0, dir: ctx.dir, txId: be32(buf, off + 12) } satisfies BtState;
    return Verdict.Continue;
  }
  const type = utpType(buf, off, len);
  if (type >= 0) {
    const connId = be16(buf, off + 2);
    const seq = be16(buf, off + 16);
    const ack = be16(buf, off + 18);
    if (st === undefined) {
      if (ctx.flowIndex > 2) return Verdict.Exclude;
      ctx.state = { kind: Kind.Utp, connId, type, seq, dir: ctx.dir, txId: 0 } satisfies BtState;
      return Verdict.Continue;
    }
    if (utpConfirms(st, ctx.dir, type, connId, seq, ack)) {
      ctx.detect(P.BitTorrent);
      return Verdict.Done;
    }
  }
  if (st !== undefined && ctx.flowIndex < 4) return Verdict.Continue;
  return Verdict.Exclude;
}

export const dissector: Dissector = {
  id: P.BitTorrent,
  on: On.TcpUdp,
  tcpPorts: [6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889, 51413, 53646],
  udpPorts: [6881, 6882, 6883, 6884, 6885, 6886, 6887, 6888, 6889, 51413, 6771],
  budget: MSE_WATCH,
  udpFirstBytes: [0x00, 0x01, 0x11, 0x21, 0x31, 0x41, 0x42, 0x64], // tracker connect, uTP v1 types 0..4, 'B'T-SEARCH, 'd' DHT (TCP: any, MSE)
  tcpFirstPacket: { short: [0x13] }, // a prefix of the peer wire handshake waits for the rest
  udpFirstPacket: { short: [0x64] }, // a 12-15 byte DHT dictionary (tracker and uTP need 16/20 bytes)
  fields: ['bt_hash'],
  doc: 'BitTorrent: peer wire handshake with info-hash (BEP 3), HTTP tracker/web seed requests, DHT KRPC (BEP 5), uTP (BEP 29), UDP tracker (BEP 15), Local Service Discovery (BEP 14).',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.len === 0) return Verdict.Continue;
    const st = ctx.state as BtState | undefined;
    if (ctx.l4 === 6) {
      if (st !== undefined && st.kind !== Kind.Mse) return Verdict.Exclude;
      return detectTcp(ctx, st);
    }
    return detectUdp(ctx, st);
  },
};
