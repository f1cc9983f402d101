/**
 * HTTP/1.x (RFC 9112 message syntax, RFC 9110 semantics) on any TCP port.
 *
 * A flow is HTTP when a direction's byte stream starts with a request line
 * "METHOD SP request-target SP HTTP-version" (methods of RFC 9110 section 9,
 * PATCH of RFC 5789, the WebDAV methods of RFC 4918, and MS-RPCH's
 * RPC_IN_DATA/RPC_OUT_DATA) or with a status line "HTTP/1.x NNN". The
 * HTTP/2 cleartext preface "PRI * HTTP/2.0" (RFC 9113 section 3.4) is
 * labelled HTTP2. The first message head of each direction is parsed from
 * the reassembled stream (it may span segments), header by header:
 *  - request: http_method, server_name (Host without port, lowercase), url
 *    (Host + request-target; the absolute target alone for proxy requests;
 *    the authority for CONNECT, as nDPI prints it), user_agent, username
 *    (Basic credentials of RFC 7617);
 *  - response: http_status (100..509, as nDPI keeps it), server_banner
 *    (Server), http_content_type (media type without parameters).
 * Labels: HTTP; an absolute-form target ("GET http://...") is HTTP_Proxy;
 * CONNECT is HTTP_Connect. Sub-protocols recognised from the message and
 * kept over any host-list refinement: OCSP (application/ocsp-* media types,
 * RFC 6960 appendix A), IPP (POST of application/ipp, RFC 8010), SOAP
 * (SOAPAction header, SOAP 1.1 section 6.1.1; application/soap+xml, RFC 3902),
 * JSON-RPC (application/json-rpc), MS-RPCH (RPC_IN_DATA/RPC_OUT_DATA),
 * Gnutella downloads (/uri-res/, /get/, /gnutella/ targets with Gnutella
 * headers or urn:sha1), MPEG-DASH segments (.mp4/.m4s targets, DASH headers),
 * Windows Update delivery optimisation, ntopng, Ookla, Xiaomi.
 * Risks: HTTP Susp User-Agent (missing/empty or malformed UA), Error Code
 * (status >= 400), Clear-Text Credentials (Basic/Digest Authorization),
 * HTTP Obsolete Server (Apache < 2.4, nginx < 1.22), HTTP Susp Header
 * (headers used by bots to report host details, non-printable Server, an
 * IPv4 Host that is not the server's address), Binary App Transfer
 * (executable media types or bodies), Binary File/Data Transfer (Attempt)
 * (octet-stream and archive media types, attachments), HTTP Susp Content
 * (non-text body announced as text), Crawler/Bot, Possible Exploit Attempt
 * (Log4J lookups, URLs starting with "/.", Java fetching Java), RCE Injection
 * (PHP code or /shell? in the URL).
 * Ignores: message bodies beyond their first bytes, later messages of a
 * keep-alive connection, trailers, obsolete line folding.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf, indexOfByte, isDigit, startsWith, startsWithNoCase } from '../bytes';

/** Request methods that start an HTTP/1.x request line. */
const METHOD_NAMES = [
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT',
  'RPC_IN_DATA', 'RPC_OUT_DATA',
];
const METHODS = METHOD_NAMES.map(ascii);
/** First bytes that may start an HTTP message (methods, "HTTP/", "PRI"). */
const FIRST = new Uint8Array(256);
for (const m of METHODS) FIRST[m[0]] = 1;
FIRST[0x48] = 1;
FIRST[0x50] = 1;

const HTTP1 = ascii('HTTP/1.');
const H2_PREFACE = ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SP_HTTP = ascii(' http/');
const HTTP_SCHEME = ascii('http://');

/** Longest start line or header line looked at; longer lines end the parse. */
const MAX_LINE = 8192;
/** nDPI reports at most this many characters of the URL. */
const MAX_URL = 255;

const enum Start {
  None = 0,
  Partial = 1,
  Request = 2,
  Response = 3,
  H2 = 4,
}

const enum Kind {
  Unknown = 0,
  Request = 1,
  Response = 2,
  /** Nothing (more) to parse in this direction. */
  Stop = 3,
}

/** Length of the method at off when followed by SP, -1 when a prefix of one, 0 when none. */
function methodAt(buf: Uint8Array, off: number, end: number): number {
  let partial = false;
  for (let i = 0; i < METHODS.length; i++) {
    const m = METHODS[i];
    if (buf[off] !== m[0]) continue;
    const n = m.length;
    const have = end - off;
    let j = 1;
    while (j < n && j < have && buf[off + j] === m[j]) j++;
    if (j < n) {
      if (j === have) partial = true;
      continue;
    }
    if (have === n) partial = true;
    else if (buf[off + n] === 0x20) return n;
  }
  return partial ? -1 : 0;
}

function classifyStart(buf: Uint8Array, off: number, end: number): Start {
  if (off >= end || FIRST[buf[off]] === 0) return Start.None;
  const have = end - off;
  if (buf[off] === 0x48 && buf[off + 1] === 0x54) {
    // "HTTP/1." status line (a response seen first, or a capture that missed the request).
    const n = Math.min(have, HTTP1.length);
    for (let i = 0; i < n; i++) if (buf[off + i] !== HTTP1[i]) return Start.None;
    return have >= HTTP1.length ? Start.Response : Start.Partial;
  }
  if (buf[off] === 0x50 && buf[off + 1] === 0x52) {
    const n = Math.min(have, H2_PREFACE.length);
    for (let i = 0; i < n; i++) if (buf[off + i] !== H2_PREFACE[i]) return Start.None;
    return have >= H2_PREFACE.length ? Start.H2 : Start.Partial;
  }
  const m = methodAt(buf, off, end);
  return m > 0 ? Start.Request : m < 0 ? Start.Partial : Start.None;
}

/** buf[s, e) as UTF-8, up to the first NUL (header values are C strings to nDPI). */
function text(buf: Buffer, s: number, e: number): string {
  const z = indexOfByte(buf, s, e, 0);
  return buf.toString('utf8', s, z < 0 ? e : z);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Host without port, lowercase ("[v6]:port" keeps the bracketed address). */
export function hostWithoutPort(raw: string): string {
  let h = raw.trim();
  if (h.startsWith('[')) {
    const e = h.indexOf(']');
    if (e > 0) h = h.slice(0, e + 1);
  } else {
    const c = h.indexOf(':');
    if (c >= 0) h = h.slice(0, c);
  }
  return h.toLowerCase();
}

function isIpv4(s: string): boolean {
  return /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(s);
}

/** Apache/x.y.z below 2.4.0 and nginx/x.y.z below 1.22.0 are past their end of life. */
export function obsoleteServer(server: string): string | undefined {
  const m = /^(apache|nginx)\/(\d+)\.(\d+)\.(\d+)/i.exec(server);
  if (m === null) return undefined;
  const v = Number(m[2]) * 1000000 + Number(m[3]) * 1000 + Number(m[4]);
  const apache = m[1].toLowerCase() === 'apache';
  if (apache ? v < 2004000 : v < 1022000) return `Obsolete ${apache ? 'Apache' : 'nginx'} server ${m[2]}.${m[3]}.${m[4]}`;
  return undefined;
}

/** Header names that bots use to report details of the infected host. */
const SUSPICIOUS_HEADERS = new Set(['arch', 'cores', 'mem', 'os', 'osname', 'osversion', 'root', 's', 'tls_version', 'uuid', 'x-hire-me']);

const EXE_MIMES = ['application/exe', 'application/java-vm', 'application/vnd.ms-cab-compressed',
  'application/vnd.microsoft.portable-executable', 'application/x-msdownload', 'application/x-dosexec'];
const DOWNLOAD_MIMES = ['application/octet-stream', 'application/x-tar', 'application/x-zip', 'application/x-bzip',
  'application/bz', 'application/bz2'];

interface Side {
  kind: Kind;
  /** Stream offset of the next line to parse. */
  pos: number;
  /** The message head ended (empty line seen); pos is the body start. */
  headDone: boolean;
  /** The first body bytes were checked (responses). */
  bodyDone: boolean;
}

class HttpState {
  readonly side: [Side, Side] = [
    { kind: Kind.Unknown, pos: 0, headDone: false, bodyDone: false },
    { kind: Kind.Unknown, pos: 0, headDone: false, bodyDone: false },
  ];
  /** Master label: HTTP, HTTP_Proxy or HTTP_Connect. */
  master: number = P.HTTP;
  /** A payload-recognised sub-protocol was set. */
  sub = 0;
  /** The master the flow was labelled with. */
  labelled = 0;
  method = '';
  target = '';
  /** Request line ends with " HTTP/1.1" (MPEG-DASH test uses it). */
  requestLine = '';
  host: string | undefined;
  hostName = '';
  userAgent: string | undefined;
  url: string | undefined;
  reqContentType = '';
  contentType = '';
  soapAction = false;
  gnutellaHeader = false;
  dashHeader = false;
  status = 0;
}

function setSub(ctx: DissectContext, st: HttpState, app: number): void {
  if (st.sub === app) return;
  st.sub = app;
  ctx.detect(app, st.master);
}

/** Sub-protocols recognised from the request (called as headers arrive). */
function requestSubprotocols(ctx: DissectContext, st: HttpState): void {
  const t = st.target;
  if (st.method === 'RPC_IN_DATA' || st.method === 'RPC_OUT_DATA') setSub(ctx, st, P.MS_RPCH);
  if (st.method === 'POST' && st.reqContentType.toLowerCase().startsWith('application/ipp')) setSub(ctx, st, P.IPP);
  const rct = st.reqContentType.toLowerCase();
  if (st.soapAction || rct === 'application/soap+xml') setSub(ctx, st, P.SOAP);
  if (rct.startsWith('application/ocsp-')) setSub(ctx, st, P.OCSP);
  if (rct.endsWith('application/json-rpc')) setSub(ctx, st, P.JSON_RPC);
  if ((t.startsWith('/uri-res/') || t.startsWith('/get/') || t.startsWith('/gnutella/')) &&
      (st.gnutellaHeader || /urn:(sha1|tree:tiger|bitprint):/i.test(t) || /gnutella/i.test(st.userAgent ?? ''))) {
    setSub(ctx, st, P.Gnutella);
  }
  if (st.sub === 0 && (st.dashHeader || /\.(mp4|m4s) HTTP\/1\.1$/.test(st.requestLine))) setSub(ctx, st, P.MpegDash);
  const url = st.url ?? '';
  if (st.sub === 0 && st.userAgent !== undefined && st.userAgent.includes('Microsoft-Delivery-Optimization/') &&
      (url.includes('delivery.mp.microsoft.com/') || url.includes('download.windowsupdate.com/')) && isIpv4(st.hostName)) {
    setSub(ctx, st, P.WindowsUpdate);
  }
  if (st.sub === 0 && (url.includes(':8080/downloading?n=0.') || url.includes(':8080/upload?n=0.'))) setSub(ctx, st, P.Ookla);
  if (st.sub === 0 && url.includes('micloud.xiaomi.net')) setSub(ctx, st, P.Xiaomi);
}

function checkUserAgent(ctx: DissectContext, ua: string): void {
  if (ua === '') return;
  const info = `UA ${ua.slice(0, 60)}`;
  if (ua.length > 12 && /^[A-Za-z]+$/.test(ua)) {
    let upper = 0;
    for (let i = 0; i < ua.length; i++) {
      const c = ua.charCodeAt(i);
      if (c >= 65 && c <= 90) upper++;
    }
    if (upper / ua.length >= 0.2) ctx.risk(Risk.HTTP_Susp_User_Agent, info);
  }
  if (ua.startsWith('<?') || ua.includes('$')) ctx.risk(Risk.HTTP_Susp_User_Agent, info);
  const ds = ua.indexOf('://');
  if (ds > 0 && ua[ds - 1] !== 'p' && ua[ds - 1] !== 's') ctx.risk(Risk.HTTP_Susp_User_Agent, info);
  if (ua.startsWith('jndi:ldap://')) ctx.risk(Risk.Possible_Exploit_Attempt, 'Suspicious Log4J');
  else if (ua.length < 4 || ua.length > 256 || ua.startsWith('test') || ua.includes('{') || ua.includes('}')) {
    ctx.risk(Risk.HTTP_Susp_User_Agent, 'Suspicious Log4J');
  }
  if (ua.includes('+http:') || ua.includes(' http:') || /crawler|bot/i.test(ua)) ctx.risk(Risk.Crawler_Bot, info);
}

function setUrl(ctx: DissectContext, st: HttpState): void {
  if (st.url !== undefined || st.host === undefined || st.target === '') return;
  let url: string;
  if (st.master === P.HTTP_Connect) url = st.target;
  else if (st.target.startsWith('http://')) url = st.target;
  else if (st.target === st.host) url = st.host;
  else url = st.host + st.target;
  st.url = url;
  ctx.set('url', url.length > MAX_URL ? url.slice(0, MAX_URL) : url);
  const path = st.master === P.HTTP_Connect || st.target.startsWith('http://') ? '' : st.target;
  if (path.includes('<php>')) ctx.risk(Risk.RCE_Injection, 'PHP code in URL');
  else if (path.startsWith('/shell?')) ctx.risk(Risk.RCE_Injection, 'Possible WebShell detected');
  else if (path.startsWith('/.')) ctx.risk(Risk.Possible_Exploit_Attempt, 'URL starting with dot');
}

/** Parses the request line buf[ls, te); false when it is not one. */
function requestLine(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, te: number): boolean {
  const m = methodAt(buf, ls, te);
  if (m <= 0) return false;
  // The line ends with " HTTP/x.y" (nDPI also takes malformed versions after " HTTP/").
  if (te - ls < m + 10 || !startsWithNoCase(buf, te - 9, te - 3, SP_HTTP)) return false;
  let ts = ls + m;
  while (ts < te - 9 && buf[ts] === 0x20) ts++;
  st.method = buf.toString('latin1', ls, ls + m);
  st.target = text(buf, ts, te - 9);
  st.requestLine = buf.toString('latin1', Math.max(ls, te - 64), te);
  if (st.method === 'CONNECT') st.master = P.HTTP_Connect;
  else if (te - 9 - ts > 7 && startsWithNoCase(buf, ts, te - 9, HTTP_SCHEME)) st.master = P.HTTP_Proxy;
  ctx.set('http_method', st.method);
  return true;
}

/** Parses a status line "HTTP/1.x NNN ..." at buf[ls, te). */
function statusLine(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, te: number): void {
  if (te - ls >= 12 && isDigit(buf[ls + 9]) && isDigit(buf[ls + 10]) && isDigit(buf[ls + 11])) {
    const code = (buf[ls + 9] - 48) * 100 + (buf[ls + 10] - 48) * 10 + (buf[ls + 11] - 48);
    if (code >= 100 && code <= 509) {
      st.status = code;
      ctx.set('http_status', code);
      if (code >= 400) ctx.risk(Risk.Error_Code, `HTTP Error Code ${code}`);
    }
  }
}

function nameIs(buf: Buffer, ls: number, n: number, pat: Uint8Array): boolean {
  return n === pat.length && startsWithNoCase(buf, ls, ls + n, pat);
}

const H_HOST = ascii('host');
const H_UA = ascii('user-agent');
const H_CT = ascii('content-type');
const H_AUTH = ascii('authorization');
const H_SERVER = ascii('server');
const H_CD = ascii('content-disposition');
const H_SOAP = ascii('soapaction');
const H_REFERER = ascii('referer');
const H_XQUEUE = ascii('x-queue');
const H_XFEATURES = ascii('x-features');
const P_XGNUTELLA = ascii('x-gnutella-');
const P_DASH = ascii('dash');

function basicUser(cred: string): string | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=]+)/i.exec(cred);
  if (m === null) return undefined;
  const dec = Buffer.from(m[1], 'base64').toString('utf8');
  const c = dec.indexOf(':');
  return c > 0 ? dec.slice(0, c) : undefined;
}

/** One request header line buf[ls, te) with the colon at colon. */
function requestHeader(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, colon: number, te: number): void {
  const n = colon - ls;
  let vs = colon + 1;
  while (vs < te && isSpace(buf[vs])) vs++;
  let ve = te;
  while (ve > vs && isSpace(buf[ve - 1])) ve--;
  const c0 = buf[ls] | 0x20;
  if (c0 === 0x68 && nameIs(buf, ls, n, H_HOST)) {
    if (st.host !== undefined) return;
    st.host = text(buf, vs, ve);
    st.hostName = hostWithoutPort(st.host);
    if (st.hostName !== '') {
      if (isIpv4(st.hostName) && ctx.ipVersion === 4) {
        const a = ctx.dstAddr[ctx.dstAddrOff];
        const dst = `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
        if (dst !== st.hostName) ctx.risk(Risk.HTTP_Susp_Header, `Expected ${dst}, found ${st.hostName}`);
      }
      ctx.set('server_name', st.hostName);
    }
    setUrl(ctx, st);
  } else if (c0 === 0x75 && nameIs(buf, ls, n, H_UA)) {
    if (st.userAgent !== undefined) return;
    st.userAgent = text(buf, vs, ve);
    if (st.userAgent !== '') {
      ctx.set('user_agent', st.userAgent);
      checkUserAgent(ctx, st.userAgent);
    }
  } else if (c0 === 0x63 && nameIs(buf, ls, n, H_CT)) {
    if (st.reqContentType !== '') return;
    let e = indexOfByte(buf, vs, ve, 0x3b);
    if (e < 0) e = ve;
    while (e > vs && isSpace(buf[e - 1])) e--;
    st.reqContentType = buf.toString('utf8', vs, e);
  } else if (c0 === 0x61 && nameIs(buf, ls, n, H_AUTH)) {
    const v = buf.toString('utf8', vs, ve);
    if (/basic|digest/i.test(v)) ctx.risk(Risk.Clear_Text_Credentials, 'Found credentials in HTTP Auth Line');
    const user = basicUser(v);
    if (user !== undefined) ctx.set('username', user);
  } else if (c0 === 0x73 && nameIs(buf, ls, n, H_SOAP)) {
    st.soapAction = true;
  } else if (c0 === 0x72 && nameIs(buf, ls, n, H_REFERER)) {
    if (st.sub === 0 && indexOf(buf, vs, ve, WWW_SPEEDTEST) >= 0) setSub(ctx, st, P.Ookla);
  } else if (c0 === 0x78 && (startsWithNoCase(buf, ls, colon, P_XGNUTELLA) || nameIs(buf, ls, n, H_XQUEUE) ||
      nameIs(buf, ls, n, H_XFEATURES))) {
    st.gnutellaHeader = true;
  } else if (c0 === 0x64 && startsWithNoCase(buf, ls, colon, P_DASH)) {
    st.dashHeader = true;
  }
  if (n <= 11 && SUSPICIOUS_HEADERS.has(buf.toString('latin1', ls, colon).toLowerCase())) {
    ctx.risk(Risk.HTTP_Susp_Header, `Found ${buf.toString('latin1', ls, Math.min(te, ls + 50))}`);
  }
}

const WWW_SPEEDTEST = ascii('www.speedtest.net');

function responseContentType(ctx: DissectContext, st: HttpState, ct: string): void {
  st.contentType = ct;
  ctx.set('http_content_type', ct);
  const l = ct.toLowerCase();
  if (l.startsWith('application/ocsp-')) setSub(ctx, st, P.OCSP);
  if (l.endsWith('application/json-rpc')) setSub(ctx, st, P.JSON_RPC);
  if (EXE_MIMES.includes(l)) {
    if (!st.hostName.endsWith('.windowsupdate.com')) ctx.risk(Risk.Binary_App_Transfer, `Found mime exe ${l.slice(12)}`);
    ctx.risk(Risk.Binary_File_Data_Transfer_Attempt, `Found mime exe ${l.slice(12)}`);
    if (l === 'application/java-vm' && (st.userAgent ?? '').startsWith('Java/')) {
      ctx.risk(Risk.Possible_Exploit_Attempt, 'Suspicious Log4J');
    }
  } else if (DOWNLOAD_MIMES.includes(l)) {
    ctx.risk(Risk.Binary_File_Data_Transfer_Attempt, `Found binary mime ${l.slice(12)}`);
  }
}

/** One response header line. */
function responseHeader(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, colon: number, te: number): void {
  const n = colon - ls;
  let vs = colon + 1;
  while (vs < te && isSpace(buf[vs])) vs++;
  let ve = te;
  while (ve > vs && isSpace(buf[ve - 1])) ve--;
  const c0 = buf[ls] | 0x20;
  if (c0 === 0x73 && nameIs(buf, ls, n, H_SERVER)) {
    if (ctx.flow.getMeta('server_banner') !== undefined) return;
    const server = text(buf, vs, ve);
    if (server === '') return;
    ctx.set('server_banner', server);
    const old = obsoleteServer(server);
    if (old !== undefined) ctx.risk(Risk.HTTP_Obsolete_Server, old);
    for (let i = vs; i < ve; i++) {
      if (buf[i] < 0x20 || buf[i] > 0x7e) {
        if (ve - vs > 7) ctx.risk(Risk.HTTP_Susp_Header, 'Suspicious Agent');
        break;
      }
    }
    if (server.startsWith('ntopng ')) setSub(ctx, st, P.ntop);
  } else if (c0 === 0x63 && nameIs(buf, ls, n, H_CT)) {
    if (st.contentType !== '') return;
    let e = indexOfByte(buf, vs, ve, 0x3b);
    if (e < 0) e = ve;
    while (e > vs && isSpace(buf[e - 1])) e--;
    if (e > vs) responseContentType(ctx, st, buf.toString('utf8', vs, e));
  } else if (c0 === 0x63 && nameIs(buf, ls, n, H_CD)) {
    const v = buf.toString('utf8', vs, ve);
    const m = /^attachment;\s*filename\*?=\s*"?([^";]*)/i.exec(v);
    if (m !== null && m[1] !== '') {
      const ext = m[1].slice(-3).toLowerCase();
      if (ext === 'exe' || ext === 'msi' || ext === 'cab') {
        if (!st.hostName.endsWith('.windowsupdate.com')) ctx.risk(Risk.Binary_App_Transfer, `Found file extn ${ext}`);
      }
      ctx.risk(Risk.Binary_File_Data_Transfer_Attempt, `File download ${m[1].slice(0, 80)}`);
    }
  }
}

/** The first bytes of a response body: executables, and binary data announced as text. */
function checkBody(ctx: DissectContext, st: HttpState, buf: Buffer, bs: number, end: number): void {
  const n = end - bs;
  if (n >= 2 && buf[bs] === 0x4d && buf[bs + 1] === 0x5a) ctx.risk(Risk.Binary_App_Transfer, 'Found Windows Exe');
  else if (n >= 4 && buf[bs] === 0x7f && buf[bs + 1] === 0x45 && buf[bs + 2] === 0x4c && buf[bs + 3] === 0x46) {
    ctx.risk(Risk.Binary_App_Transfer, 'Found Linux Exe');
  } else if (n >= 3 && buf[bs] === 0x23 && buf[bs + 1] === 0x21 && buf[bs + 2] === 0x2f) {
    ctx.risk(Risk.Binary_App_Transfer, 'Found Unix Script');
  } else if (n >= 8 && startsWith(buf, bs, end, DEX)) ctx.risk(Risk.Binary_App_Transfer, 'Found Android Exe');
  const ct = st.contentType.toLowerCase();
  if (n >= 4 && (ct.includes('text/') || ct.includes('/json') || ct.includes('x-www-form-urlencoded'))) {
    let printable = true;
    for (let i = bs; i < bs + 4; i++) {
      const c = buf[i];
      if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c > 0x7e) printable = false;
    }
    const gzip = buf[bs] === 0x1f && buf[bs + 1] === 0x8b && buf[bs + 2] === 0x08 && buf[bs + 3] === 0x00;
    if (!printable && !gzip) {
      ctx.risk(Risk.HTTP_Susp_Content, `Susp content ${buf.toString('hex', bs, bs + 4).toUpperCase()}`);
    }
  }
}

const DEX = Uint8Array.from([0x64, 0x65, 0x78, 0x0a, 0x30, 0x33, 0x35, 0x00]);

/** Parses the complete lines of this direction's first message head. */
function parseSide(ctx: DissectContext, st: HttpState, side: Side): void {
  const buf = ctx.buf;
  const base = ctx.off;
  const end = ctx.off + ctx.len;
  while (!side.headDone && side.kind !== Kind.Stop) {
    const ls = base + side.pos;
    const lf = indexOfByte(buf, ls, Math.min(end, ls + MAX_LINE), 10);
    if (lf < 0) {
      if (end - ls >= MAX_LINE) side.kind = Kind.Stop;
      return;
    }
    let te = lf;
    if (te > ls && buf[te - 1] === 13) te--;
    side.pos = lf + 1 - base;
    if (ls === base) {
      if (side.kind === Kind.Request) {
        if (!requestLine(ctx, st, buf, ls, te)) side.kind = Kind.Stop;
      } else {
        statusLine(ctx, st, buf, ls, te);
      }
      continue;
    }
    if (te === ls) {
      side.headDone = true;
      if (side.kind === Kind.Request && (st.userAgent === undefined || st.userAgent === '')) {
        ctx.risk(Risk.HTTP_Susp_User_Agent, 'Empty or missing User-Agent');
      }
      break;
    }
    if (isSpace(buf[ls])) continue;
    const colon = indexOfByte(buf, ls, te, 0x3a);
    if (colon <= ls) continue;
    if (side.kind === Kind.Request) requestHeader(ctx, st, buf, ls, colon, te);
    else responseHeader(ctx, st, buf, ls, colon, te);
  }
  if (side.kind === Kind.Request) requestSubprotocols(ctx, st);
  if (side.kind === Kind.Response && side.headDone && !side.bodyDone) {
    const bs = base + side.pos;
    const noBody = st.status < 200 || st.status === 204 || st.status === 304 || st.method === 'HEAD';
    if (noBody) side.bodyDone = true;
    else if (end - bs >= 8 || ctx.len >= 16384) {
      side.bodyDone = true;
      checkBody(ctx, st, buf, bs, end);
    }
  }
}

function sideFinished(s: Side): boolean {
  return s.kind === Kind.Stop || (s.headDone && (s.kind !== Kind.Response || s.bodyDone));
}

export const dissector: Dissector = {
  id: P.HTTP,
  early: true,
  alsoDetects: [P.HTTP_Proxy, P.HTTP_Connect, P.HTTP2, P.OCSP, P.IPP, P.SOAP, P.JSON_RPC, P.MS_RPCH, P.Gnutella,
    P.MpegDash, P.WindowsUpdate, P.ntop, P.Ookla, P.Xiaomi],
  on: On.Tcp,
  tcpPorts: [80],
  budget: 16,
  stream: true,
  fields: ['server_name', 'url', 'http_method', 'user_agent', 'http_status', 'http_content_type', 'server_banner', 'username'],
  doc: 'HTTP/1.x request and status lines (RFC 9112) on any port; Host, URL, method, User-Agent, status, Content-Type, Server, Basic user; HTTP_Proxy/HTTP_Connect; OCSP, IPP, SOAP, JSON-RPC and other sub-protocols; the h2c preface as HTTP2.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as HttpState | undefined;
    const dir = ctx.dir;
    if (st === undefined || st.side[dir].kind === Kind.Unknown) {
      const s = classifyStart(ctx.buf, ctx.off, ctx.off + ctx.len);
      if (st === undefined) {
        if (s === Start.None) return Verdict.Exclude;
        if (s === Start.Partial) return Verdict.Continue;
        if (s === Start.H2) {
          ctx.detect(P.HTTP2);
          return Verdict.Done;
        }
        if (s === Start.Request) {
          // The whole request line is needed to tell HTTP from look-alikes ("CONNECT {json}", "GET key").
          const lf = indexOfByte(ctx.buf, ctx.off, ctx.off + Math.min(ctx.len, MAX_LINE), 10);
          if (lf < 0) return ctx.len >= MAX_LINE ? Verdict.Exclude : Verdict.Continue;
          let te = lf;
          if (te > ctx.off && ctx.buf[te - 1] === 13) te--;
          const m = methodAt(ctx.buf, ctx.off, te);
          if (te - ctx.off < m + 10 || !startsWithNoCase(ctx.buf, te - 9, te - 3, SP_HTTP)) return Verdict.Exclude;
        }
        st = new HttpState();
        ctx.state = st;
        st.side[dir].kind = s === Start.Request ? Kind.Request : Kind.Response;
        if (s === Start.Request) {
          // Labels the flow from the request line before any header is looked at.
          parseSide(ctx, st, st.side[dir]);
        }
        if (st.sub === 0) ctx.detect(st.master);
        st.labelled = st.master;
        if (s === Start.Response) parseSide(ctx, st, st.side[dir]);
      } else {
        if (s === Start.Partial) return Verdict.Detected;
        const side = st.side[dir];
        side.kind = s === Start.Request ? Kind.Request : s === Start.Response ? Kind.Response : Kind.Stop;
        if (side.kind !== Kind.Stop) parseSide(ctx, st, side);
      }
    } else {
      parseSide(ctx, st, st.side[dir]);
    }
    if (st.sub === 0 && st.labelled !== st.master) {
      st.labelled = st.master;
      ctx.detect(st.master);
    }
    const a = st.side[0];
    const b = st.side[1];
    if (sideFinished(a) && sideFinished(b)) return Verdict.Done;
    return Verdict.Detected;
  },
};
