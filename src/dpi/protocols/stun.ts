/**
 * STUN and TURN (RFC 5389/8489, RFC 5766/8656, RFC 6062; classic STUN of
 * RFC 3489 without the magic cookie), over UDP and over TCP (optionally
 * framed as in RFC 4571), and the applications that ride them, labelled the
 * way nDPI does ("STUN.WhatsAppCall", "SRTP.WhatsAppCall", "DTLS.GoogleCall").
 *
 * A message is STUN when its length field matches the datagram, its type is
 * a known method/class (or WhatsApp's 0x0800-0x0805) and, without the magic
 * cookie 0x2112A442, its type is a classic one and its attributes fill the
 * message exactly. The application comes from:
 *  - attributes: Zoom 0x0101/0x0103; WhatsApp 0x4000-0x4004, 0x4007;
 *    Microsoft (MS-TURN, MS-ICE2) 0x8054, 0x8055, 0x8070, 0x8095, 0x8006,
 *    0x8036, 0x24DF, 0x3802, 0x0800 -> Skype_TeamsCall; 0xFF03 -> GoogleCall;
 *  - the REALM (0x0014), also reported as 'server_name': google.com,
 *    whispersystems.org/signal.org, facebook, telegram, viber, stripcdn.com;
 *  - Google's public TURN/STUN service (ports 3478 and 19302-19309 on
 *    74.125.250.0/24, 142.250.82.0/24, 2001:4860:4864:5::/64 and :6::/64);
 *  - Signal's relay port 10000 after a few packets without a better hint;
 *  - a cache of endpoints (address and port) already seen in a call of a
 *    known application, filled from both ends of such flows and from their
 *    XOR-PEER-ADDRESS attributes: another STUN flow from the same socket, or
 *    to a peer announced there, belongs to the same call.
 * After the first STUN message the flow is followed for a few more packets
 * (RFC 7983 demultiplexing by first byte): STUN keeps refining the label,
 * RTP turns "STUN.App" into "SRTP.App" (plain STUN into "STUN.RTP"), TURN
 * ChannelData and MS-TURN multiplexed frames are unwrapped, and DTLS hands
 * the flow to the DTLS dissector, keeping the application ("DTLS.App").
 * Ignores: message integrity and fingerprints (not verified), ICE semantics.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import type { Cursor } from '../cursor';
import type { FlowDpi } from '../flow-dpi';
import type { MetaField, MetaValue } from '../meta';
import { be16, be32 } from '../bytes';
import { RtpKind, rtpKind } from './rtp';

const COOKIE = 0x2112a442;
/** Packets looked at (from the flow's start) for a first STUN message. */
const SEARCH_PACKETS = 6;
/** Packets followed after the one that identified STUN (nDPI's extra dissection). */
const EXTRA_PACKETS = 6;
/** More packets given when DTLS starts, for its handshake. */
const DTLS_EXTRA = 10;
const MAX_DEPTH = 3;

/** Endpoint cache: entries older than this (packet time) are ignored. */
const CACHE_TTL_MS = 3600_000;
const CACHE_MAX = 4096;

const cache = new Map<number | string, { app: number; ts: number }>();

/** Empties the endpoint cache (tests; a new capture). */
export function resetStunCache(): void {
  cache.clear();
}

/** Labels that are not an application of their own: they never go to the cache. */
function realApp(p: number): boolean {
  return p !== 0 && p !== P.STUN && p !== P.RTP && p !== P.RTCP && p !== P.SRTP && p !== P.DTLS && p !== P.Telegram;
}

function endpointKey(v: number, addr: Int32Array, off: number, port: number): number | string {
  if (v !== 6) return (addr[off] >>> 0) * 65536 + port;
  return `${addr[off]},${addr[off + 1]},${addr[off + 2]},${addr[off + 3]},${port}`;
}

function cacheGet(key: number | string, now: number): number {
  const e = cache.get(key);
  if (e === undefined) return 0;
  if (now - e.ts > CACHE_TTL_MS) {
    cache.delete(key);
    return 0;
  }
  return e.app;
}

function cachePut(key: number | string, app: number, now: number): void {
  cache.delete(key);
  cache.set(key, { app, ts: now });
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
}

interface StunState {
  detected: boolean;
  /** The label as nDPI's protocol stack: s0 the application (or the single protocol), s1 its master. */
  s0: number;
  s1: number;
  /** Flow packet index after which the flow is no longer followed. */
  end: number;
  isTurn: boolean;
  /** DTLS started on the flow; the DTLS dissector's own state and verdict. */
  dtls: boolean;
  dtlsState: unknown;
  dtlsDone: boolean;
}

/**
 * The context given to the DTLS dissector when the flow turns to DTLS: the
 * engine's context with that dissector's own state slot, and its labels
 * recorded (the STUN dissector decides the final one). One instance, bound
 * to the engine's context only for the duration of a call.
 */
const UNBOUND = {} as DissectContext;

class DelegateContext implements DissectContext {
  base: DissectContext = UNBOUND;
  state: unknown = undefined;
  app = -1;
  master = 0;
  get buf(): Buffer { return this.base.buf; }
  get off(): number { return this.base.off; }
  get len(): number { return this.base.len; }
  get cur(): Cursor { return this.base.cur; }
  get dir(): Dir { return this.base.dir; }
  get l4(): number { return this.base.l4; }
  get srcPort(): number { return this.base.srcPort; }
  get dstPort(): number { return this.base.dstPort; }
  get clientPort(): number { return this.base.clientPort; }
  get serverPort(): number { return this.base.serverPort; }
  get dirIndex(): number { return this.base.dirIndex; }
  get flowIndex(): number { return this.base.flowIndex; }
  get c2sPackets(): number { return this.base.c2sPackets; }
  get s2cPackets(): number { return this.base.s2cPackets; }
  get tsMs(): number { return this.base.tsMs; }
  get ipVersion(): number { return this.base.ipVersion; }
  get srcAddr(): Int32Array { return this.base.srcAddr; }
  get srcAddrOff(): number { return this.base.srcAddrOff; }
  get dstAddr(): Int32Array { return this.base.dstAddr; }
  get dstAddrOff(): number { return this.base.dstAddrOff; }
  get flow(): FlowDpi { return this.base.flow; }
  detect(app: number, master = 0): void {
    this.app = app;
    this.master = master;
  }
  set(field: MetaField, value: MetaValue, overwrite?: boolean): void {
    this.base.set(field, value, overwrite);
  }
  risk(risk: number, info?: string): void {
    this.base.risk(risk, info);
  }
}

const delegate = new DelegateContext();

let dtlsDissector: Dissector | null | undefined;

/**
 * The registry's DTLS dissector, if there is one. Looked up on first use (not
 * imported: the protocol index imports this module).
 */
function findDtls(): Dissector | null {
  if (dtlsDissector === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const index = require('./index') as { ALL_DISSECTORS?: readonly (Dissector | undefined)[] };
    const all = index.ALL_DISSECTORS ?? [];
    dtlsDissector = all.find((d) => d !== undefined && d.id === P.DTLS && (d.on & On.Udp) !== 0) ?? null;
  }
  return dtlsDissector;
}

function isDtlsRecord(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 13) return false;
  const ct = buf[off];
  const v = buf[off + 2];
  if (ct < 20 || ct > 25 || buf[off + 1] !== 0xfe || (v !== 0xff && v !== 0xfd && v !== 0xfc)) return false;
  return be16(buf, off + 11) + 13 <= len;
}

function inPrefix24(addr: Int32Array, off: number, net: number): boolean {
  return ((addr[off] >>> 8) << 8) >>> 0 === net;
}

function googleV6(addr: Int32Array, off: number): boolean {
  // 2001:4860:4864:5::/64 and 2001:4860:4864:6::/64: the first 64 bits are 2001:4860 4864:000[56].
  return (addr[off] >>> 0) === 0x20014860 && ((addr[off + 1] >>> 0) === 0x48640005 || (addr[off + 1] >>> 0) === 0x48640006);
}

/** Google's call relays: 74.125.250.0/24, 142.250.82.0/24, 2001:4860:4864:5::/64, 2001:4860:4864:6::/64. */
function googleCallAddress(v: number, addr: Int32Array, off: number): boolean {
  return v === 6 ? googleV6(addr, off) : inPrefix24(addr, off, 0x4a7dfa00) || inPrefix24(addr, off, 0x8efa5200);
}

function googlePort(p: number): boolean {
  return p === 3478 || (p >= 19302 && p <= 19309);
}

function printableRealm(buf: Uint8Array, p: number, n: number): boolean {
  if (n === 0 || n > 253) return false;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i];
    if (c <= 0x20 || c >= 0x7f || c === 0x3f) return false;
  }
  return true;
}

/** Application named by a realm (lowercase host name), or 0. */
function realmApp(r: string): number {
  if (r.includes('google.com')) return P.GoogleCall;
  if (r.includes('whispersystems.org') || r.includes('signal.org')) return P.SignalVoip;
  if (r.includes('facebook')) return P.FacebookVoip;
  if (r.includes('stripcdn.com')) return P.AdultContent;
  if (r.includes('telegram')) return P.TelegramVoip;
  if (r.includes('viber')) return P.ViberVoip;
  return 0;
}

class Stun {
  /** Result of the last isStun(): the application its attributes name (0 none). */
  app = 0;

  /**
   * Is buf[off, off+len) a STUN message? -1 no; 1 yes (this.app set).
   * Attributes are walked for the application, the realm, XOR-PEER-ADDRESS
   * and DATA (whose content is dissected again, depth-limited).
   */
  isStun(ctx: DissectContext, st: StunState | undefined, buf: Buffer, off: number, len: number, depth: number): number {
    this.app = 0;
    if (len < 20) return -1;
    if (ctx.l4 === 6 && len >= 22 && be16(buf, off) + 2 === len) {
      off += 2;
      len -= 2;
    }
    // Microsoft multiplexed TURN (MS-TURN 2.2.3): 12-byte header before the message.
    if (len >= 32 && be16(buf, off) === 0xff10 && be16(buf, off + 2) + 4 === len) {
      off += 12;
      len -= 12;
    }
    const type = be16(buf, off);
    const mlen = be16(buf, off + 2);
    const cookie = be32(buf, off + 4) === COOKIE;
    if (ctx.l4 === 6) {
      if (!cookie || mlen + 20 > len) return -1;
      len = mlen + 20;
    }
    if (type === 0 || mlen + 20 !== len) return -1;
    const wa = type >= 0x0800 && type <= 0x0805 && type !== 0x0803;
    if ((type & 0x3eef) > 0x000b && !wa) return -1;
    const end = off + len;
    if (!cookie) {
      switch (type) {
        case 0x0001: case 0x0101: case 0x0111: case 0x0002: case 0x0102: case 0x0112:
        case 0x0003: case 0x0103: case 0x0113: case 0x0004: case 0x0104: case 0x0114:
        case 0x0115: case 0x0006: case 0x0106: case 0x0116:
          break;
        default:
          return -1;
      }
      let p = off + 20;
      while (p + 4 < end) p += 4 + ((be16(buf, p + 2) + 3) & ~3);
      if (p !== end) return -1;
    }
    if (wa) {
      this.app = P.WhatsAppCall;
      return 1;
    }
    if (st === undefined) return 1;
    const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
    if (method >= 3 && method <= 0x0c) st.isTurn = true;
    let app = 0;
    if (ctx.flowIndex >= 4 && !st.isTurn && !this.subReal(st) && (ctx.clientPort === 10000 || ctx.serverPort === 10000)) app = P.SignalVoip;
    let p = off + 20;
    while (p + 4 < end) {
      const attr = be16(buf, p);
      const alen = be16(buf, p + 2);
      const padded = (alen + 3) & ~3;
      switch (attr) {
        case 0x0101:
        case 0x0103:
          this.app = P.Zoom;
          return 1;
        case 0x4000: case 0x4001: case 0x4002: case 0x4003: case 0x4004: case 0x4007:
          app = P.WhatsAppCall;
          break;
        case 0x0014: {
          if (ctx.flow.getMeta('server_name') === undefined) {
            const n = Math.min(alen, end - p - 4);
            if (printableRealm(buf, p + 4, n)) {
              const realm = buf.toString('latin1', p + 4, p + 4 + n).toLowerCase();
              ctx.set('server_name', realm);
              const a = realmApp(realm);
              if (a !== 0) app = a;
            }
          }
          break;
        }
        case 0x8054: case 0x24df: case 0x3802: case 0x8036: case 0x8095: case 0x0800: case 0x8006: case 0x8070: case 0x8055:
          app = P.Skype_TeamsCall;
          break;
        case 0xff03:
          app = P.GoogleCall;
          break;
        case 0x0012:
          // XOR-PEER-ADDRESS: the peer of a call of a known application belongs to it.
          if (alen === 8 && p + 12 <= end && buf[p + 5] === 1 && this.subReal(st)) {
            const port = be16(buf, p + 6) ^ (COOKIE >>> 16);
            const ip = (be32(buf, p + 8) ^ COOKIE) >>> 0;
            cachePut(ip * 65536 + port, st.s0, ctx.tsMs);
          }
          break;
        case 0x0013:
          if (depth < MAX_DEPTH && p + 4 + padded <= end && alen > 0) {
            const saved = this.app;
            this.searchAgain(ctx, st, buf, p + 4, alen, depth + 1);
            this.app = saved;
          }
          break;
        default:
          break;
      }
      p += 4 + padded;
    }
    this.app = app;
    return 1;
  }

  subReal(st: StunState): boolean {
    return st.s1 !== 0 && realApp(st.s0);
  }

  masterOf(st: StunState): number {
    if (st.s1 !== 0) return st.s1;
    if (st.s0 !== 0 && st.s0 !== P.Telegram) return st.s0;
    return P.STUN;
  }

  /** nDPI's "add connection": picks the label from the application found, Google's service, the cache. */
  addConnection(ctx: DissectContext, st: StunState, app: number, master: number): void {
    if (app === 0) {
      const cp = ctx.clientPort;
      const sp = ctx.serverPort;
      if ((googlePort(cp) || googlePort(sp)) &&
          (googleCallAddress(ctx.ipVersion, ctx.srcAddr, ctx.srcAddrOff) || googleCallAddress(ctx.ipVersion, ctx.dstAddr, ctx.dstAddrOff))) {
        app = P.GoogleCall;
      }
    }
    const v = ctx.ipVersion;
    const c2s = ctx.dir === Dir.C2S;
    const cKey = c2s ? endpointKey(v, ctx.srcAddr, ctx.srcAddrOff, ctx.srcPort) : endpointKey(v, ctx.dstAddr, ctx.dstAddrOff, ctx.dstPort);
    const sKey = c2s ? endpointKey(v, ctx.dstAddr, ctx.dstAddrOff, ctx.dstPort) : endpointKey(v, ctx.srcAddr, ctx.srcAddrOff, ctx.srcPort);
    if (!realApp(app)) {
      const cached = cacheGet(cKey, ctx.tsMs) || cacheGet(sKey, ctx.tsMs);
      if (cached !== 0) {
        if (app === P.RTP || master === P.RTP || master === P.RTCP) master = P.SRTP;
        app = cached;
      }
    }
    if (realApp(app)) {
      cachePut(cKey, app, ctx.tsMs);
      cachePut(sKey, app, ctx.tsMs);
    }
    if (st.s0 === 0 || app !== 0) this.setLabel(ctx, st, app, master);
  }

  setLabel(ctx: DissectContext, st: StunState, app: number, master: number): void {
    if (app === 0 || app === master) {
      st.s0 = master;
      st.s1 = 0;
    } else {
      st.s0 = app;
      st.s1 = master;
    }
    ctx.detect(st.s0, st.s1);
  }

  newIsBetter(st: StunState, app: number): boolean {
    if (this.subReal(st) && app === 0) return false;
    return app !== st.s0;
  }

  /** nDPI's extra dissection of one payload (or a payload carried inside a TURN frame or a DATA attribute). */
  searchAgain(ctx: DissectContext, st: StunState, buf: Buffer, off: number, len: number, depth: number): void {
    if (len <= 1) return;
    const b0 = buf[off];
    const type = len >= 2 ? be16(buf, off) : 0;
    if (b0 <= 3 || (st.s0 === P.WhatsAppCall && type >= 0x0800 && type <= 0x0805 && type !== 0x0803)) {
      if (this.isStun(ctx, st, buf, off, len, depth) === 1 && this.newIsBetter(st, this.app)) {
        this.addConnection(ctx, st, this.app, this.masterOf(st));
      }
    } else if (b0 >= 20 && b0 <= 63) {
      if (isDtlsRecord(buf, off, len) && depth === 0) this.dtls(ctx, st);
    } else if (b0 >= 64 && b0 <= 79) {
      if (st.isTurn && len >= 4 && depth < MAX_DEPTH) {
        const ch = be16(buf, off + 2);
        if (ch <= len - 4) this.searchAgain(ctx, st, buf, off + 4, ch, depth + 1);
      }
    } else if (b0 >= 128 && b0 <= 191) {
      if (rtpKind(buf, off, len) === RtpKind.Rtp) {
        if (st.s0 !== P.RTP && st.s0 !== P.RTCP && st.s1 !== P.SRTP) {
          if (st.s1 !== 0) {
            if (st.s1 !== P.DTLS) this.addConnection(ctx, st, st.s0, P.SRTP);
          } else if (!(st.dtls && ctx.flow.getMeta('server_name') !== undefined)) {
            // (Plain DTLS with a host name may have been refined to DTLS.App by the engine: leave it.)
            const m = this.masterOf(st);
            this.addConnection(ctx, st, m === P.STUN ? P.RTP : P.SRTP, m);
          }
        }
      }
    } else if (b0 === 0xff && len >= 12 && type === 0xff10 && st.s0 === P.Skype_TeamsCall && depth < MAX_DEPTH) {
      const ch = be16(buf, off + 2);
      if (ch === len - 4 && ch >= 8) this.searchAgain(ctx, st, buf, off + 12, ch - 8, depth + 1);
    }
  }

  /** A DTLS record on the flow: the DTLS dissector takes over the label, the application found so far is kept. */
  dtls(ctx: DissectContext, st: StunState): void {
    const first = !st.dtls;
    const oldS0 = st.s0;
    const oldS1 = st.s1;
    if (first) {
      st.dtls = true;
      st.end += DTLS_EXTRA;
    }
    if (st.dtlsDone) return;
    const d = findDtls();
    let app = P.DTLS;
    let master = 0;
    if (d !== null) {
      const dc = delegate;
      dc.base = ctx;
      dc.state = st.dtlsState;
      dc.app = -1;
      ctx.cur.reset(ctx.buf, ctx.off, ctx.len);
      let v: Verdict;
      try {
        v = d.dissect(dc);
      } catch {
        v = Verdict.Exclude;
      }
      dc.base = UNBOUND;
      st.dtlsState = dc.state;
      dc.state = undefined;
      // A record the DTLS dissector cannot follow still makes the flow DTLS, as nDPI's record check does.
      if (v === Verdict.Exclude || v === Verdict.Done) st.dtlsDone = true;
      if (dc.app >= 0) {
        app = dc.app;
        master = dc.master;
      } else if (!first) {
        return;
      }
    } else if (!first) {
      return;
    }
    if (!first) {
      // Only a more specific label from the DTLS dissector replaces the one kept from STUN.
      if (app !== P.DTLS || master !== 0) this.setLabel(ctx, st, app, master);
      return;
    }
    // Keep the application found before DTLS when DTLS itself names none.
    if ((app === P.DTLS && master === 0) && oldS0 !== 0 && oldS0 !== P.STUN && !(oldS0 === P.DTLS && oldS1 === 0)) {
      st.s0 = P.DTLS;
      st.s1 = 0;
      this.addConnection(ctx, st, oldS0 === P.RTP ? P.SRTP : oldS0, P.DTLS);
    } else {
      this.setLabel(ctx, st, app, master);
    }
  }
}

const stun = new Stun();

function multicastOrBroadcast(ctx: DissectContext): boolean {
  if (ctx.ipVersion === 6) return (ctx.dstAddr[ctx.dstAddrOff] >>> 24) === 0xff;
  const a = ctx.dstAddr[ctx.dstAddrOff] >>> 0;
  return a === 0xffffffff || (a >>> 28) === 0xe;
}

/** Stops following the flow once nothing can change its label any more (nDPI's Zoom case). */
function finished(st: StunState): boolean {
  return st.s0 === P.Zoom && st.s1 !== 0;
}

export const dissector: Dissector = {
  id: P.STUN,
  alsoDetects: [
    P.WhatsAppCall, P.Skype_TeamsCall, P.Zoom, P.GoogleCall, P.SignalVoip, P.FacebookVoip, P.TelegramVoip,
    P.ViberVoip, P.AdultContent, P.RTP, P.SRTP, P.DTLS,
  ],
  on: On.TcpUdp,
  tcpPorts: [3478],
  udpPorts: [3478],
  budget: 40,
  fields: [
    'server_name', 'tls_version', 'tls_supported_versions', 'tls_cipher', 'alpn_advertised', 'alpn_negotiated', 'ja3c',
    'ja3s', 'ja4', 'tls_subject', 'tls_issuer', 'tls_server_names', 'tls_not_before', 'tls_not_after', 'tls_cert_sha1',
    'tls_ech',
  ],
  doc: 'STUN/TURN (RFC 5389/8489, 3489, 8656) with the application riding it (WhatsApp, Teams, Zoom, Google, Signal, Telegram, Facebook, Viber calls), then RTP/SRTP and DTLS on the same flow (RFC 7983).',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as StunState | undefined;
    if (st === undefined || !st.detected) {
      if (ctx.flowIndex >= SEARCH_PACKETS) return Verdict.Exclude;
      const len = ctx.len;
      if (len < 20) return Verdict.Continue;
      const b0 = ctx.buf[ctx.off];
      // Cheap first-byte filter: STUN types start with 0x00-0x03, WhatsApp's with 0x08, MS-TURN with 0xff; TCP may have a length prefix.
      if (b0 > 3 && b0 !== 8 && b0 !== 0xff && ctx.l4 !== 6) return Verdict.Continue;
      if (stun.isStun(ctx, undefined, ctx.buf, ctx.off, len, 0) !== 1) return Verdict.Continue;
      if (ctx.l4 === 17 && multicastOrBroadcast(ctx)) return Verdict.Exclude;
      st = {
        detected: true, s0: 0, s1: 0, end: ctx.flowIndex + 1 + EXTRA_PACKETS, isTurn: false,
        dtls: false, dtlsState: undefined, dtlsDone: false,
      };
      ctx.state = st;
      // Again with the state: attributes, realm, TURN.
      stun.isStun(ctx, st, ctx.buf, ctx.off, len, 0);
      stun.addConnection(ctx, st, stun.app, stun.masterOf(st));
      if (finished(st)) return Verdict.Done;
      return ctx.flowIndex + 1 >= st.end ? Verdict.Done : Verdict.Detected;
    }
    stun.searchAgain(ctx, st, ctx.buf, ctx.off, ctx.len, 0);
    if (finished(st) || ctx.flowIndex + 1 >= st.end) return Verdict.Done;
    return Verdict.Detected;
  },
};
