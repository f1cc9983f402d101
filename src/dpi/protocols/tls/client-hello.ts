/**
 * TLS ClientHello body (RFC 8446 4.1.2, RFC 5246 7.4.1.2; DTLS adds the
 * cookie after the session id, RFC 6347 4.2.1) and the client-side metadata
 * taken from it. Shared with the QUIC dissector, which finds the same
 * message in CRYPTO frames.
 *
 * Extensions read: server_name (RFC 6066 3), supported_groups and
 * ec_point_formats (RFC 8422 5.1), signature_algorithms (RFC 8446 4.2.3),
 * ALPN (RFC 7301 3.1), supported_versions (RFC 8446 4.2.1),
 * encrypt_then_mac (RFC 7366), padding (RFC 7685), encrypted_client_hello
 * (0xfe0d, draft-ietf-tls-esni), encrypted_server_name (0xffce, old ESNI drafts),
 * QUIC transport parameters (0x39, RFC 9001 8.2; 0xffa5 in drafts).
 * Lists keep GREASE values (RFC 8701) as sent; the fingerprints drop them.
 * Ignores: key shares, PSKs, session tickets and other extension contents.
 */
import { P, Risk } from '../../generated/protocols';
import type { DissectContext } from '../../dissector';
import { isObsolete, knownVersionName, versionName } from './versions';
import { ja3Client } from './ja3';
import { isNumericHost, ja4 } from './ja4';
import { torLikeHost } from '../../classify/dga';

export interface ClientHello {
  legacyVersion: number;
  ciphers: number[];
  extensions: number[];
  sni: string;
  alpn: string[];
  supportedVersions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  ech: boolean;
  quicParams: Buffer | null;
  /** Length of the padding extension (RFC 7685), 0 when absent. */
  paddingLen?: number;
}

export const EXT_SNI = 0x0000;
export const EXT_GROUPS = 0x000a;
export const EXT_POINT_FORMATS = 0x000b;
export const EXT_SIG_ALGS = 0x000d;
export const EXT_ALPN = 0x0010;
export const EXT_PADDING = 0x0015;
export const EXT_ENCRYPT_THEN_MAC = 0x0016;
export const EXT_SUPPORTED_VERSIONS = 0x002b;
export const EXT_QUIC_PARAMS = 0x0039;
export const EXT_ECH = 0xfe0d;
export const EXT_ESNI = 0xffce;
export const EXT_QUIC_PARAMS_DRAFT = 0xffa5;

/** Most names a list may hold (defends against absurd lengths). */
const MAX_ITEMS = 256;

function u16List(buf: Buffer, p: number, end: number, out: number[]): void {
  for (; p + 1 < end && out.length < MAX_ITEMS; p += 2) out.push((buf[p] << 8) | buf[p + 1]);
}

/** First host_name entry of a server_name extension, lowercased; '' when none. */
function parseSni(buf: Buffer, p: number, end: number): string {
  if (p + 2 > end) return '';
  const listEnd = Math.min(end, p + 2 + ((buf[p] << 8) | buf[p + 1]));
  p += 2;
  while (p + 3 <= listEnd) {
    const type = buf[p];
    const n = (buf[p + 1] << 8) | buf[p + 2];
    p += 3;
    if (p + n > listEnd) return '';
    if (type === 0 && n > 0) return buf.toString('latin1', p, p + n).toLowerCase();
    p += n;
  }
  return '';
}

const HTTP11 = Buffer.from('http/1.1', 'latin1');

/** One ALPN protocol id; the two most common ones without making a string. */
function alpnId(buf: Buffer, p: number, n: number): string {
  if (n === 2 && buf[p] === 0x68 && buf[p + 1] === 0x32) return 'h2';
  if (n === 8) {
    let i = 0;
    while (i < 8 && buf[p + i] === HTTP11[i]) i++;
    if (i === 8) return 'http/1.1';
  }
  return buf.toString('latin1', p, p + n);
}

function parseAlpn(buf: Buffer, p: number, end: number, out: string[]): void {
  if (p + 2 > end) return;
  const listEnd = Math.min(end, p + 2 + ((buf[p] << 8) | buf[p + 1]));
  p += 2;
  while (p < listEnd && out.length < MAX_ITEMS) {
    const n = buf[p++];
    if (p + n > listEnd) return;
    out.push(alpnId(buf, p, n));
    p += n;
  }
}

/**
 * Parses a ClientHello body: buf[off, off + len) is what follows the 4-byte
 * handshake header (type 1, uint24 length). Returns null when the fixed part
 * (version, random, session id, cookie for DTLS, cipher suites, compression
 * methods) does not fit or is malformed; a damaged extension block ends the
 * extension walk without failing the parse.
 */
export function parseClientHello(buf: Buffer, off: number, len: number, dtls = false): ClientHello | null {
  const end = off + len;
  let p = off;
  if (p + 35 > end) return null;
  const legacyVersion = (buf[p] << 8) | buf[p + 1];
  const major = legacyVersion >> 8;
  if (dtls ? major !== 0xfe && legacyVersion !== 0x0100 : major !== 3) return null;
  p += 34;
  const sidLen = buf[p++];
  if (sidLen > 32 || p + sidLen > end) return null;
  p += sidLen;
  if (dtls) {
    if (p >= end) return null;
    const cookieLen = buf[p++];
    if (p + cookieLen > end) return null;
    p += cookieLen;
  }
  if (p + 2 > end) return null;
  const cipherLen = (buf[p] << 8) | buf[p + 1];
  p += 2;
  if (cipherLen === 0 || (cipherLen & 1) !== 0 || p + cipherLen > end) return null;
  const ch: ClientHello = {
    legacyVersion,
    ciphers: [],
    extensions: [],
    sni: '',
    alpn: [],
    supportedVersions: [],
    groups: [],
    pointFormats: [],
    sigAlgs: [],
    ech: false,
    quicParams: null,
  };
  for (let i = 0; i < cipherLen; i += 2) ch.ciphers.push((buf[p + i] << 8) | buf[p + i + 1]);
  p += cipherLen;
  if (p >= end) return null;
  const compLen = buf[p++];
  if (compLen === 0 || p + compLen > end) return null;
  p += compLen;
  if (p + 2 > end) return ch;
  const extEnd = Math.min(end, p + 2 + ((buf[p] << 8) | buf[p + 1]));
  p += 2;
  while (p + 4 <= extEnd && ch.extensions.length < MAX_ITEMS) {
    const type = (buf[p] << 8) | buf[p + 1];
    const n = (buf[p + 2] << 8) | buf[p + 3];
    p += 4;
    if (p + n > extEnd) break;
    const e = p + n;
    ch.extensions.push(type);
    switch (type) {
      case EXT_SNI:
        if (ch.sni === '') ch.sni = parseSni(buf, p, e);
        break;
      case EXT_GROUPS:
        if (p + 2 <= e) u16List(buf, p + 2, Math.min(e, p + 2 + ((buf[p] << 8) | buf[p + 1])), ch.groups);
        break;
      case EXT_POINT_FORMATS:
        if (p < e) for (let i = p + 1; i < Math.min(e, p + 1 + buf[p]); i++) ch.pointFormats.push(buf[i]);
        break;
      case EXT_SIG_ALGS:
        if (p + 2 <= e) u16List(buf, p + 2, Math.min(e, p + 2 + ((buf[p] << 8) | buf[p + 1])), ch.sigAlgs);
        break;
      case EXT_ALPN:
        parseAlpn(buf, p, e, ch.alpn);
        break;
      case EXT_SUPPORTED_VERSIONS:
        if (p < e) u16List(buf, p + 1, Math.min(e, p + 1 + buf[p]), ch.supportedVersions);
        break;
      case EXT_ECH:
        ch.ech = true;
        break;
      case EXT_PADDING:
        ch.paddingLen = n;
        break;
      case EXT_QUIC_PARAMS:
      case EXT_QUIC_PARAMS_DRAFT:
        if (ch.quicParams === null) ch.quicParams = Buffer.from(buf.subarray(p, e));
        break;
    }
    p = e;
  }
  return ch;
}

/** ALPN ids nDPI considers common (IANA ALPN ids and QUIC draft ids); anything else raises Uncommon TLS ALPN. */
const COMMON_ALPN = new Set([
  'http/0.9', 'http/1.0', 'http/1.1', 'spdy/1', 'spdy/2', 'spdy/3', 'spdy/3.1', 'stun.turn', 'stun.nat-discovery',
  'h2', 'h2c', 'h2-16', 'h2-15', 'h2-14', 'h2-fb', 'webrtc', 'c-webrtc', 'ftp', 'imap', 'pop3', 'managesieve', 'coap',
  'xmpp-client', 'xmpp-server', 'acme-tls/1', 'mqtt', 'dot', 'ntske/1', 'sunrpc', 'h3', 'smb', 'irc',
  'h3-T051', 'h3-T050', 'h3-34', 'h3-33', 'h3-32', 'h3-31', 'h3-30', 'h3-29', 'h3-28', 'h3-27', 'h3-24', 'h3-22',
  'hq-34', 'hq-33', 'hq-32', 'hq-31', 'hq-30', 'hq-29', 'hq-28', 'hq-27', 'hq-interop', 'h3-fb-05', 'h1q-fb', 'doq-i00',
  'apns-security-v3', 'apns-pack-v1',
]);

export function isCommonAlpn(a: string): boolean {
  return COMMON_ALPN.has(a);
}

/**
 * Tor's TLS client (OpenSSL) sends an empty encrypt_then_mac extension, no
 * ALPN, and a Tor-like SNI (torLikeHost). nDPI labels such hellos TLS.Tor;
 * older Tor clients without encrypt_then_mac are recognised at the flow's
 * end, when the name also looks machine-generated (engine.ts, finalize).
 */
function looksLikeTor(ch: ClientHello): boolean {
  if (ch.alpn.length > 0 || !ch.extensions.includes(EXT_ENCRYPT_THEN_MAC)) return false;
  return torLikeHost(ch.sni);
}

/** Version names joined with ';'. */
function versionList(versions: readonly number[]): string {
  let s = versionName(versions[0]);
  for (let i = 1; i < versions.length; i++) s += ';' + versionName(versions[i]);
  return s;
}

/**
 * Sets the client-side metadata and risks of a parsed ClientHello: SNI,
 * ALPN, supported versions, ECH, JA3C, JA4, the version the client proposes
 * (legacy_version, as nDPI reports it until a ServerHello says otherwise;
 * TLS 1.3 for QUIC), and the client-side risks. webrtc (a DTLS-SRTP
 * handshake inside a STUN/WebRTC session) spares the ALPN and SNI risks.
 */
export function applyClientHello(ctx: DissectContext, ch: ClientHello, transport: 't' | 'q' | 'd', webrtc = false): void {
  if (ch.sni !== '') ctx.set('server_name', ch.sni);
  if (ch.alpn.length > 0) ctx.set('alpn_advertised', ch.alpn.join(';'));
  if (ch.supportedVersions.length > 0) ctx.set('tls_supported_versions', versionList(ch.supportedVersions));
  if (ch.ech) ctx.set('tls_ech', 1);
  ctx.set('ja3c', ja3Client(ch));
  ctx.set('ja4', ja4(ch, transport));
  const v = ch.legacyVersion;
  const name = transport === 'q' ? 'TLSv1.3' : knownVersionName(v);
  if (name !== '') ctx.set('tls_version', name);
  if (transport !== 'q' && isObsolete(v)) ctx.risk(Risk.Obsolete_TLS_v1_1_or_older, versionName(v));
  if (ch.sni !== '' && isNumericHost(ch.sni)) ctx.risk(Risk.HTTP_TLS_QUIC_Numeric_Hostname_SNI, ch.sni);
  const esni = ch.extensions.includes(EXT_ESNI);
  if (esni && ch.sni !== '') ctx.risk(Risk.TLS_Susp_ESNI_Usage);
  // Padding beyond a few hundred bytes forces unusual ClientHello fragmentation (an evasion trick).
  if ((ch.paddingLen ?? 0) > 500) ctx.risk(Risk.Obfuscated_Traffic, 'Abnormal Client Hello/Padding length');
  for (const a of ch.alpn) {
    if (!COMMON_ALPN.has(a)) {
      ctx.risk(Risk.Uncommon_TLS_ALPN, a);
      break;
    }
  }
  if (!webrtc) {
    if (v >= 0x0303 && ch.alpn.length === 0) ctx.risk(Risk.TLS_probably_Not_Carrying_HTTPS, 'No ALPN');
    if (ch.sni === '' && !esni && v >= 0x0302) {
      ctx.risk(Risk.Missing_SNI_TLS_Extn, 'SNI should always be present');
      const h = ch.alpn.find((a) => a.startsWith('h'));
      if (h !== undefined) ctx.risk(Risk.ALPN_SNI_Mismatch, h);
    }
  }
  if (transport === 't' && looksLikeTor(ch)) ctx.detect(P.Tor, P.TLS);
  // AnyDesk announces itself in ALPN ("anydesk/6.2.0/linux").
  if (ch.alpn.length > 0 && ch.alpn[0].startsWith('anydesk/')) {
    ctx.detect(P.AnyDesk, transport === 'q' ? P.QUIC : transport === 'd' ? P.DTLS : P.TLS);
    ctx.risk(Risk.Desktop_File_Sharing, 'Found AnyDesk');
  }
}
