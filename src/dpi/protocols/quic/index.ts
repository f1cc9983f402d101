/**
 * QUIC on any UDP port: IETF QUIC v1 (RFC 9000/9001), v2 (RFC 9369), the
 * IETF drafts (Initials of drafts 22-34 opened), Facebook mvfst, and Google
 * QUIC (Q024..Q046 in clear, Q050/T050/T051 with Initial protection).
 *
 * Identification (each rule is a property the specifications give the
 * client's first packets):
 *  - a long header (RFC 8999 5.1) with a known version, connection IDs of
 *    at most 20 bytes (RFC 9000 17.2), of the Initial type, in a datagram
 *    padded to at least 1200 bytes (RFC 9000 14.1) - or any Initial whose
 *    protection authenticates with the version's Initial keys;
 *  - an Initial with a reserved 0x?a?a?a?a version (RFC 9000 15, forcing
 *    version negotiation), then the server's Version Negotiation packet and
 *    the client's new Initial, which is decoded;
 *  - a gQUIC public header with the version flag and a "Q0NN" version in a
 *    full-size datagram, or a Q046 header;
 *  - a 0-RTT long header packet with a known version not followed by an
 *    Initial (the Initial was lost or reordered) by the third packet;
 *  - a server's gQUIC packet carrying a REJ handshake message (unidirectional
 *    captures of the server side);
 *  - only short headers (RFC 9000 17.3: fixed bit set, no version): three
 *    client packets to UDP 443, the HTTP/3 port, with the same first 8
 *    bytes of Destination Connection ID and a changing last byte. Without a
 *    version this is a heuristic, kept to the one port HTTP/3 uses.
 * Metadata: the client's Initial packets are opened (initial.ts), CRYPTO
 * frames reassembled across frames, coalesced packets and datagrams
 * (frames.ts), and the TLS ClientHello read with the TLS dissector's
 * parser: server_name (SNI), alpn_advertised, tls_supported_versions, JA3C,
 * JA4 (q), user_agent from Google's google_user_agent transport parameter
 * (0x3129). gQUIC CHLO messages give server_name (SNI tag) and user_agent
 * (UAID tag). quic_version is spelled as nDPI prints it. An ALPN "doq" is
 * DNS over QUIC (RFC 9250 4.1.1): QUIC.DoH_DoT. RTP after a Q046 CHLO
 * without SNI or a v1 hello for *.addlive.io is a Snapchat call
 * (QUIC.SnapchatCall), as nDPI reports it.
 * Risks: those of the ClientHello (the TLS dissector's applyClientHello), and
 * a CHLO without SNI.
 * Ignores: server packets beyond the checks above, Handshake and 1-RTT
 * packets (encrypted with keys a passive observer does not have), Retry
 * tokens, and ClientHellos beyond 16 KiB.
 */
import { P, Risk } from '../../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../../dissector';
import { be32 } from '../../bytes';
import { applyClientHello, parseClientHello, ClientHello } from '../tls/client-hello';
import {
  Family, family, initialSalt, initialType, isV2, Q046, retryType, V1, varintTransportParams, versionName, zeroRttType,
} from './versions';
import { clientInitialKeys, InitialKeys, LongHeader, opened, openPacket, Parsed, parseLongHeader, readVarint, vi } from './initial';
import { CRYPTO_CAP, CryptoStream, walkGoogleFrames, walkIetfFrames } from './frames';
import { chloLength, isRej, oldHeaderPayload, parseChlo, q046Payload } from './gquic';

/** RFC 9000 14.1: a client pads datagrams carrying Initial packets to at least 1200 bytes. */
const MIN_INITIAL_DATAGRAM = 1200;
/** UDP port of HTTP/3 (RFC 9114 3.1 defaults to the https port 443). */
const HTTP3_PORT = 443;
/** Bytes of the Destination Connection ID compared by the short-header heuristic (the shortest common server CID). */
const SH_CID_BYTES = 8;
/** Client short-header packets needed by the heuristic, and the packets of a flow it looks at. */
const SH_PACKETS = 3;
const SH_MAX_PACKETS = 10;
/** Google's transport parameter carrying the user agent. */
const TP_GOOGLE_USER_AGENT = 0x3129;
/** Coalesced packets looked at in one datagram. */
const MAX_COALESCED = 4;

const enum Hs {
  /** Still waiting for the handshake message. */
  Pending = 0,
  /** Parsed, or given up: nothing more to learn. */
  Over = 1,
}

interface QuicState {
  detected: boolean;
  /** Version of the client's Initial packets (0 while unknown). */
  version: number;
  keys: InitialKeys | null;
  /** Version and Destination Connection ID the keys were derived for. */
  keyVersion: number;
  keyDcid: Buffer | null;
  largestPn: number;
  /** Direction of the first Initial seen: the client's (-1 before it). */
  clientDir: number;
  stream: CryptoStream | null;
  /** True when the handshake message is a gQUIC CHLO, false for a TLS ClientHello. */
  chlo: boolean;
  hs: Hs;
  /** A forcing-VN Initial was seen: expect the server's VN, then a real Initial. */
  forcedVn: boolean;
  /** Version of a 0-RTT packet seen before any Initial (0: none). */
  zeroRtt: number;
  /** Short-header heuristic: the CID bytes, how many client packets matched, last byte of the previous one. */
  shCid: Buffer | null;
  shStage: number;
  shLast: number;
  /** Snapchat calls multiplex RTP with QUIC: watch the packets after the handshake for RTP. */
  rtpWatch: boolean;
}

function newState(): QuicState {
  return {
    detected: false, version: 0, keys: null, keyVersion: 0, keyDcid: null, largestPn: -1, clientDir: -1, stream: null, chlo: false,
    hs: Hs.Pending, forcedVn: false, zeroRtt: 0, shCid: null, shStage: 0, shLast: -1, rtpWatch: false,
  };
}

const hdr = new LongHeader();

function verdict(st: QuicState | undefined): Verdict {
  if (st === undefined) return Verdict.Exclude;
  if (st.detected) return st.hs === Hs.Over && !st.rtpWatch ? Verdict.Done : Verdict.Detected;
  return Verdict.Continue;
}

/** RTP or RTCP (RFC 3550 5.1, 6.4): version 2, then a sender/receiver report type or a static/dynamic payload type. */
function looksLikeRtp(buf: Buffer, off: number, len: number): boolean {
  if (len < 12 || buf[off] >> 6 !== 2) return false;
  const t = buf[off + 1];
  const pt = t & 0x7f;
  return t === 200 || t === 201 || pt <= 34 || (pt >= 96 && pt <= 127);
}

/**
 * After a handshake that announces a Snapchat call (a Q046 CHLO without SNI,
 * or a v1 ClientHello for *.addlive.io), nDPI's rule: QUIC packets keep the
 * fixed bit (0x40); the first packet without it is RTP/RTCP, Snapchat's
 * call media multiplexed on the same 5-tuple.
 */
function watchRtp(ctx: DissectContext, st: QuicState): Verdict {
  if ((ctx.buf[ctx.off] & 0x40) !== 0) return Verdict.Detected;
  st.rtpWatch = false;
  if (looksLikeRtp(ctx.buf, ctx.off, ctx.len)) ctx.detect(P.SnapchatCall, P.QUIC);
  return verdict(st);
}

function detect(ctx: DissectContext, st: QuicState, version: number): void {
  if (!st.detected) {
    st.detected = true;
    ctx.detect(P.QUIC);
  }
  if (version !== 0 && version !== st.version) {
    st.version = version;
    ctx.set('quic_version', versionName(version), true);
  }
}

/** The user agent in Google's transport parameter, or ''. */
function googleUserAgent(tp: Buffer, varint: boolean): string {
  const end = tp.length;
  let p = 0;
  if (!varint) {
    if (end < 2) return '';
    p = 2;
  }
  while (p < end) {
    let id: number;
    let len: number;
    if (varint) {
      id = readVarint(tp, p, end);
      if (id < 0) return '';
      len = readVarint(tp, vi.end, end);
      if (len < 0) return '';
      p = vi.end;
    } else {
      if (p + 4 > end) return '';
      id = (tp[p] << 8) | tp[p + 1];
      len = (tp[p + 2] << 8) | tp[p + 3];
      p += 4;
    }
    if (p + len > end) return '';
    if (id === TP_GOOGLE_USER_AGENT) return tp.toString('latin1', p, p + len);
    p += len;
  }
  return '';
}

function applyTls(ctx: DissectContext, st: QuicState, ch: ClientHello): void {
  applyClientHello(ctx, ch, 'q');
  if (ch.quicParams !== null) {
    const ua = googleUserAgent(ch.quicParams, varintTransportParams(st.version));
    if (ua !== '') ctx.set('user_agent', ua);
  }
  if (ch.alpn.length > 0 && ch.alpn[0].startsWith('doq')) ctx.detect(P.DoH_DoT, P.QUIC);
  if (st.version === V1 && ch.sni.endsWith('.addlive.io')) st.rtpWatch = true;
}

/** Parses the handshake message once the stream holds all of it. */
function tryHandshake(ctx: DissectContext, st: QuicState): void {
  const s = st.stream;
  if (s === null || s.buf === null || st.hs === Hs.Over) return;
  const have = s.contiguous();
  const b = s.buf;
  if (st.chlo) {
    const total = chloLength(b, have);
    if (total === -2) st.hs = Hs.Over;
    if (total < 0 || have < total) return;
    st.hs = Hs.Over;
    const c = parseChlo(b, total);
    if (c.sni !== '') ctx.set('server_name', c.sni);
    else ctx.risk(Risk.Missing_SNI_TLS_Extn, 'SNI should always be present');
    if (c.sni === '' && st.version === Q046) st.rtpWatch = true;
    if (c.uaid !== '') ctx.set('user_agent', c.uaid);
    return;
  }
  if (have < 4) return;
  if (b[0] !== 1) {
    st.hs = Hs.Over;
    return;
  }
  const total = Math.min(4 + ((b[1] << 16) | (b[2] << 8) | b[3]), CRYPTO_CAP);
  if (have < total) return;
  st.hs = Hs.Over;
  const ch = parseClientHello(b, 4, total - 4);
  if (ch !== null) applyTls(ctx, st, ch);
}

function streamOf(st: QuicState): CryptoStream {
  if (st.stream === null) st.stream = new CryptoStream();
  return st.stream;
}

/** Opens one client Initial (hdr describes it) and feeds its frames; false when it does not authenticate. */
function openInitial(buf: Buffer, off: number, st: QuicState, v: number, fam: Family): boolean {
  const salt = initialSalt(v);
  if (salt === null) return false;
  const dcid = buf.subarray(hdr.dcidOff, hdr.dcidOff + hdr.dcidLen);
  let payload: Buffer | null = null;
  if (st.keys !== null && st.keyVersion === v) payload = openPacket(buf, off, hdr, st.keys, st.largestPn);
  if (payload === null && (st.keys === null || st.keyVersion !== v || st.keyDcid === null || !st.keyDcid.equals(dcid))) {
    const keys = clientInitialKeys(salt, dcid, isV2(v));
    payload = openPacket(buf, off, hdr, keys, -1);
    if (payload !== null) {
      st.keys = keys;
      st.keyVersion = v;
      st.keyDcid = Buffer.from(dcid);
      st.largestPn = -1;
    }
  }
  if (payload === null) return false;
  if (opened.pn > st.largestPn) st.largestPn = opened.pn;
  const stream = streamOf(st);
  if (fam === Family.Ietf) {
    walkIetfFrames(payload, stream);
  } else {
    st.chlo = fam === Family.GoogleCrypto;
    walkGoogleFrames(payload, 0, payload.length, stream, false);
  }
  return true;
}

/** A datagram starting with a long header. */
function onLong(ctx: DissectContext, st: QuicState | undefined): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  if (ctx.len < 7) return st === undefined ? Verdict.Exclude : verdict(st);
  const v = be32(buf, off + 1);
  if (v === 0) {
    // Version Negotiation (RFC 9000 17.2.1): the expected answer to a forcing-VN Initial.
    return verdict(st);
  }
  const fam = family(v);
  if (fam === Family.None || fam === Family.GoogleOld) return st === undefined ? Verdict.Exclude : verdict(st);
  if (fam === Family.Google46) return onQ046(ctx, st, v);
  if (parseLongHeader(buf, off, end, hdr, initialType(v), retryType(v)) === Parsed.Bad) return st === undefined ? Verdict.Exclude : verdict(st);
  if (hdr.type === initialType(v)) {
    const full = ctx.len >= MIN_INITIAL_DATAGRAM;
    if (fam === Family.ForceVn) {
      if (!full || (buf[off] & 0x40) === 0) return st === undefined ? Verdict.Exclude : verdict(st);
      if (st === undefined) {
        st = newState();
        ctx.state = st;
      }
      if (st.clientDir < 0) st.clientDir = ctx.dir;
      if (st.version === 0 || st.forcedVn) {
        st.forcedVn = true;
        detect(ctx, st, v);
      }
      return verdict(st);
    }
    if (st === undefined) {
      st = newState();
      ctx.state = st;
    }
    if (st.clientDir < 0) st.clientDir = ctx.dir;
    if (st.hs === Hs.Over || st.clientDir !== ctx.dir) return verdict(st);
    if (full) detect(ctx, st, v);
    let p = off;
    for (let n = 0; n < MAX_COALESCED; n++) {
      if (n > 0 && parseLongHeader(buf, p, end, hdr, initialType(v), retryType(v)) !== Parsed.Ok) break;
      if (hdr.version !== v || hdr.type !== initialType(v) || hdr.pnOff < 0) break;
      if (openInitial(buf, p, st, v, fam)) detect(ctx, st, v);
      p = hdr.end;
      if (p >= end || (buf[p] & 0x80) === 0) break;
    }
    if (st.detected) {
      st.forcedVn = false;
      tryHandshake(ctx, st);
      if (initialSalt(v) === null) st.hs = Hs.Over;
    }
    return verdict(st);
  }
  if (hdr.type === zeroRttType(v) && (buf[off] & 0x40) !== 0 && fam !== Family.ForceVn) {
    if (st === undefined) {
      st = newState();
      ctx.state = st;
    }
    if (!st.detected) {
      if (st.zeroRtt !== 0 && ctx.flowIndex >= 2) {
        detect(ctx, st, v);
        return Verdict.Detected;
      }
      st.zeroRtt = v;
    }
    return verdict(st);
  }
  if (st !== undefined && !st.detected && st.zeroRtt !== 0) {
    // Another long header packet after a 0-RTT one and still no Initial.
    detect(ctx, st, 0);
    return Verdict.Detected;
  }
  return st === undefined ? Verdict.Exclude : verdict(st);
}

/** Q046: IETF-like long header in clear, CHLO on stream 1. */
function onQ046(ctx: DissectContext, st: QuicState | undefined, v: number): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  if (st === undefined) {
    if (ctx.len < MIN_INITIAL_DATAGRAM || (buf[off] & 0x33) !== 0x03) return Verdict.Exclude;
    const p = q046Payload(buf, off, end);
    if (p < 0) return Verdict.Exclude;
    st = newState();
    ctx.state = st;
    detect(ctx, st, v);
    st.chlo = true;
    walkGoogleFrames(buf, p, end, streamOf(st), false);
    tryHandshake(ctx, st);
    if (st.stream !== null && st.stream.contiguous() === 0) st.hs = Hs.Over;
    return verdict(st);
  }
  if (st.detected && st.hs === Hs.Pending && (buf[off] & 0x30) === 0) {
    const p = q046Payload(buf, off, end);
    if (p >= 0) {
      walkGoogleFrames(buf, p, end, streamOf(st), false);
      tryHandshake(ctx, st);
    }
  }
  return verdict(st);
}

/** A gQUIC client packet with a public header and a version (Q024..Q043). */
function onGoogleOld(ctx: DissectContext, st: QuicState | undefined, v: number): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  if (st === undefined) {
    if (ctx.len < MIN_INITIAL_DATAGRAM) return Verdict.Exclude;
    st = newState();
    ctx.state = st;
  }
  if (!st.detected) {
    detect(ctx, st, v);
    st.chlo = true;
  }
  if (st.hs === Hs.Pending) {
    const p = oldHeaderPayload(buf, off, end, v);
    const le = (v & 0xffff) < 0x3339;
    if (p >= 0) walkGoogleFrames(buf, p, end, streamOf(st), le);
    tryHandshake(ctx, st);
    if (st.stream === null || st.stream.contiguous() === 0) st.hs = Hs.Over;
  }
  return verdict(st);
}

/** Short headers (first bit clear): gQUIC public headers, REJ from a server, IETF short headers. */
function onShort(ctx: DissectContext, st: QuicState | undefined): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  const b0 = buf[off];
  if ((b0 & 0x09) === 0x09 && ctx.len >= 13) {
    const v = be32(buf, off + 9);
    if (family(v) === Family.GoogleOld) return onGoogleOld(ctx, st, v);
  }
  if (st !== undefined && st.detected) return verdict(st);
  if (st !== undefined && st.zeroRtt !== 0) {
    // A packet after a 0-RTT one and still no Initial.
    detect(ctx, st, 0);
    return Verdict.Detected;
  }
  if (isRej(buf, off, end)) {
    if (st === undefined) {
      st = newState();
      ctx.state = st;
    }
    detect(ctx, st, 0);
    st.hs = Hs.Over;
    return Verdict.Done;
  }
  if ((b0 & 0x40) === 0) return Verdict.Exclude;
  if (ctx.dstPort !== HTTP3_PORT) return ctx.srcPort === HTTP3_PORT && ctx.flowIndex < SH_MAX_PACKETS ? Verdict.Continue : Verdict.Exclude;
  if (ctx.len < 1 + SH_CID_BYTES + 1 || ctx.flowIndex >= SH_MAX_PACKETS) return Verdict.Exclude;
  if (st === undefined) {
    st = newState();
    ctx.state = st;
  }
  const last = buf[end - 1];
  if (st.shCid === null) {
    st.shCid = Buffer.from(buf.subarray(off + 1, off + 1 + SH_CID_BYTES));
    st.shStage = 1;
  } else {
    if (st.shLast === last || st.shCid.compare(buf, off + 1, off + 1 + SH_CID_BYTES) !== 0) return Verdict.Exclude;
    if (++st.shStage >= SH_PACKETS) {
      detect(ctx, st, 0);
      st.hs = Hs.Over;
      return Verdict.Done;
    }
  }
  st.shLast = last;
  return Verdict.Continue;
}

export const dissector: Dissector = {
  id: P.QUIC,
  alsoDetects: [P.DoH_DoT, P.SnapchatCall],
  on: On.Udp,
  udpPorts: [443],
  budget: 24,
  // Long headers; short headers with the fixed bit; gQUIC public headers (version flag) and REJ (bit 3).
  udpFirstBytes: [[0x08, 0x0f], [0x18, 0x1f], [0x28, 0x2f], [0x38, 0x3f], [0x40, 0xff]],
  // Short: short headers with the fixed bit wait (port 443), as do long-header Initial and 0-RTT types
  // (v1 and v2); Handshake/Retry types (0xa0-0xbf, 0xf0-0xff) and no fixed bit (0x00-0x3f: REJ needs 30+ bytes) do not.
  udpFirstPacket: { short: [[0x40, 0x9f], [0xc0, 0xef]] },
  fields: ['server_name', 'quic_version', 'user_agent', 'alpn_advertised', 'tls_supported_versions', 'tls_version', 'tls_ech', 'ja3c', 'ja4'],
  doc: 'QUIC (RFC 9000/9001/9369, drafts, mvfst, Google QUIC) on any UDP port: Initial packets opened, CRYPTO frames reassembled, ClientHello/CHLO SNI, ALPN, user agent, JA4.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.len === 0) return Verdict.Continue;
    const st = ctx.state as QuicState | undefined;
    if (st !== undefined && st.detected && st.hs === Hs.Over) return st.rtpWatch ? watchRtp(ctx, st) : Verdict.Done;
    if ((ctx.buf[ctx.off] & 0x80) !== 0) return onLong(ctx, st);
    return onShort(ctx, st);
  },
};
