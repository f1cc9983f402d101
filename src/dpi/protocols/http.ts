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
 * Cost: lines are found with the native byte search, header names are told
 * apart by their first letter and length on the bytes, and strings are made
 * only for values that are exported or tested, once per flow.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, endsWith, findByte, indexOf, indexOfByte, isDigit, startsWith, startsWithNoCase } from '../bytes';

/** Request methods that start an HTTP/1.x request line. */
const METHOD_NAMES = [
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT',
  'RPC_IN_DATA', 'RPC_OUT_DATA',
];
const METHODS = METHOD_NAMES.map(ascii);
/** methodAt() results that are not an index into METHOD_NAMES. */
const METHOD_PARTIAL = -1;
const METHOD_NONE = -2;
/** First bytes that may start an HTTP message (methods, "HTTP/", "PRI"). */
const FIRST = new Uint8Array(256);
for (const m of METHODS) FIRST[m[0]] = 1;
FIRST[0x48] = 1;
FIRST[0x50] = 1;

const HTTP1 = ascii('HTTP/1.');
const H2_PREFACE = ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SP_HTTP = ascii(' http/');
const HTTP_SCHEME = ascii('http://');
/** Request line endings of MPEG-DASH segment requests. */
const MP4_HTTP11 = ascii('.mp4 HTTP/1.1');
const M4S_HTTP11 = ascii('.m4s HTTP/1.1');

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

/**
 * The method at off followed by SP, as an index into METHOD_NAMES;
 * METHOD_PARTIAL when buf[off, end) is a prefix of one, else METHOD_NONE.
 */
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
    else if (buf[off + n] === 0x20) return i;
  }
  return partial ? METHOD_PARTIAL : METHOD_NONE;
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
  return m >= 0 ? Start.Request : m === METHOD_PARTIAL ? Start.Partial : Start.None;
}

/** End of the text of the line [ls, lf] ending with the LF at lf: before "\r\n" or "\n". */
function textEnd(buf: Uint8Array, ls: number, lf: number): number {
  return lf > ls && buf[lf - 1] === 13 ? lf - 1 : lf;
}

/**
 * True when buf[ls, te), for which methodAt() gave m, is a request line: a
 * method, SP, and " HTTP/x.y" at the end (nDPI also takes malformed versions after " HTTP/").
 */
function isRequestLine(buf: Uint8Array, ls: number, te: number, m: number): boolean {
  return m >= 0 && te - ls >= METHODS[m].length + 10 && startsWithNoCase(buf, te - 9, te - 3, SP_HTTP);
}

/** buf[s, e) as UTF-8, up to the first NUL (header values are C strings to nDPI). */
function text(buf: Buffer, s: number, e: number): string {
  const z = findByte(buf, s, e, 0);
  return buf.toString('utf8', s, z < 0 ? e : z);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Start of the value of the header line whose colon is at colon, ending at te. */
function valueStart(buf: Uint8Array, colon: number, te: number): number {
  let vs = colon + 1;
  while (vs < te && isSpace(buf[vs])) vs++;
  return vs;
}

/** End of a value starting at vs, trailing blanks dropped. */
function valueEnd(buf: Uint8Array, vs: number, te: number): number {
  let ve = te;
  while (ve > vs && isSpace(buf[ve - 1])) ve--;
  return ve;
}

/** End of the media type of a Content-Type value buf[vs, ve): before any parameters and the blanks ahead of them. */
function mediaTypeEnd(buf: Uint8Array, vs: number, ve: number): number {
  let e = indexOfByte(buf, vs, ve, 0x3b);
  if (e < 0) e = ve;
  while (e > vs && isSpace(buf[e - 1])) e--;
  return e;
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

/** Dotted-quad shape: four groups of one to three ASCII digits ("999.0.0.1" included). */
export function isIpv4(s: string): boolean {
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      dots++;
      digits = 0;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

const OBSOLETE_SERVER = /^(apache|nginx)\/(\d+)\.(\d+)\.(\d+)/i;

/** Apache/x.y.z below 2.4.0 and nginx/x.y.z below 1.22.0 are past their end of life. */
export function obsoleteServer(server: string): string | undefined {
  const m = OBSOLETE_SERVER.exec(server);
  if (m === null) return undefined;
  const v = Number(m[2]) * 1000000 + Number(m[3]) * 1000 + Number(m[4]);
  const apache = m[1].toLowerCase() === 'apache';
  if (apache ? v < 2004000 : v < 1022000) return `Obsolete ${apache ? 'Apache' : 'nginx'} server ${m[2]}.${m[3]}.${m[4]}`;
  return undefined;
}

/** Header names that bots use to report details of the infected host, by length. */
const SUSPICIOUS_BY_LENGTH: Uint8Array[][] = [];
for (const name of ['arch', 'cores', 'mem', 'os', 'osname', 'osversion', 'root', 's', 'tls_version', 'uuid', 'x-hire-me']) {
  while (SUSPICIOUS_BY_LENGTH.length <= name.length) SUSPICIOUS_BY_LENGTH.push([]);
  SUSPICIOUS_BY_LENGTH[name.length].push(ascii(name));
}

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
  /** One of METHOD_NAMES, or ''. */
  method = '';
  target = '';
  /** The request line ends with ".mp4 HTTP/1.1" or ".m4s HTTP/1.1" (an MPEG-DASH segment). */
  dashTarget = false;
  /** The target is a Gnutella download path (/uri-res/, /get/, /gnutella/). */
  gnutellaTarget = false;
  host: string | undefined;
  hostName = '';
  userAgent: string | undefined;
  url: string | undefined;
  /** The URL is an Ookla speed test transfer. */
  ooklaUrl = false;
  /** The URL names Xiaomi's cloud. */
  xiaomiUrl = false;
  /** The request's media type, lowercase. */
  reqMediaType = '';
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

const GNUTELLA_URN = /urn:(sha1|tree:tiger|bitprint):/i;
const GNUTELLA = /gnutella/i;

/** Windows Update delivery optimisation: its User-Agent fetching from an update host by address. */
function isWindowsUpdate(st: HttpState): boolean {
  const ua = st.userAgent;
  const url = st.url;
  return ua !== undefined && ua.includes('Microsoft-Delivery-Optimization/') && url !== undefined &&
    (url.includes('delivery.mp.microsoft.com/') || url.includes('download.windowsupdate.com/')) && isIpv4(st.hostName);
}

/** Sub-protocols recognised from the request (called as headers arrive). */
function requestSubprotocols(ctx: DissectContext, st: HttpState): void {
  const method = st.method;
  const mt = st.reqMediaType;
  if (method === 'RPC_IN_DATA' || method === 'RPC_OUT_DATA') setSub(ctx, st, P.MS_RPCH);
  if (method === 'POST' && mt.startsWith('application/ipp')) setSub(ctx, st, P.IPP);
  if (st.soapAction || mt === 'application/soap+xml') setSub(ctx, st, P.SOAP);
  if (mt.startsWith('application/ocsp-')) setSub(ctx, st, P.OCSP);
  if (mt.endsWith('application/json-rpc')) setSub(ctx, st, P.JSON_RPC);
  if (st.gnutellaTarget && (st.gnutellaHeader || GNUTELLA_URN.test(st.target) || GNUTELLA.test(st.userAgent ?? ''))) {
    setSub(ctx, st, P.Gnutella);
  }
  if (st.sub !== 0) return;
  if (st.dashHeader || st.dashTarget) setSub(ctx, st, P.MpegDash);
  else if (isWindowsUpdate(st)) setSub(ctx, st, P.WindowsUpdate);
  else if (st.ooklaUrl) setSub(ctx, st, P.Ookla);
  else if (st.xiaomiUrl) setSub(ctx, st, P.Xiaomi);
}

const LETTERS_ONLY = /^[A-Za-z]+$/;
const CRAWLER_OR_BOT = /crawler|bot/i;

/** The explanation of a User-Agent risk. */
function uaInfo(ua: string): string {
  return `UA ${ua.slice(0, 60)}`;
}

/** Share of ASCII capitals in s. */
function upperShare(s: string): number {
  let upper = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
  }
  return upper / s.length;
}

function checkUserAgent(ctx: DissectContext, ua: string): void {
  if (ua === '') return;
  if (ua.length > 12 && LETTERS_ONLY.test(ua) && upperShare(ua) >= 0.2) ctx.risk(Risk.HTTP_Susp_User_Agent, uaInfo(ua));
  if (ua.startsWith('<?') || ua.includes('$')) ctx.risk(Risk.HTTP_Susp_User_Agent, uaInfo(ua));
  const ds = ua.indexOf('://');
  if (ds > 0 && ua[ds - 1] !== 'p' && ua[ds - 1] !== 's') ctx.risk(Risk.HTTP_Susp_User_Agent, uaInfo(ua));
  if (ua.startsWith('jndi:ldap://')) ctx.risk(Risk.Possible_Exploit_Attempt, 'Suspicious Log4J');
  else if (ua.length < 4 || ua.length > 256 || ua.startsWith('test') || ua.includes('{') || ua.includes('}')) {
    ctx.risk(Risk.HTTP_Susp_User_Agent, 'Suspicious Log4J');
  }
  const httpLink = ua.includes('http:') && (ua.includes('+http:') || ua.includes(' http:'));
  if (httpLink || CRAWLER_OR_BOT.test(ua)) ctx.risk(Risk.Crawler_Bot, uaInfo(ua));
}

function setUrl(ctx: DissectContext, st: HttpState): void {
  if (st.url !== undefined || st.host === undefined || st.target === '') return;
  let url: string;
  if (st.master === P.HTTP_Connect) url = st.target;
  else if (st.target.startsWith('http://')) url = st.target;
  else if (st.target === st.host) url = st.host;
  else url = st.host + st.target;
  st.url = url;
  st.ooklaUrl = url.includes(':8080/') && (url.includes(':8080/downloading?n=0.') || url.includes(':8080/upload?n=0.'));
  st.xiaomiUrl = url.includes('micloud.xiaomi.net');
  ctx.set('url', url.length > MAX_URL ? url.slice(0, MAX_URL) : url);
  const path = st.master === P.HTTP_Connect || st.target.startsWith('http://') ? '' : st.target;
  if (path.includes('<php>')) ctx.risk(Risk.RCE_Injection, 'PHP code in URL');
  else if (path.startsWith('/shell?')) ctx.risk(Risk.RCE_Injection, 'Possible WebShell detected');
  else if (path.startsWith('/.')) ctx.risk(Risk.Possible_Exploit_Attempt, 'URL starting with dot');
}

/** Takes the request line buf[ls, te) of method m (checked with isRequestLine). */
function requestLine(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, te: number, m: number): void {
  const method = METHOD_NAMES[m];
  let ts = ls + method.length;
  while (ts < te - 9 && buf[ts] === 0x20) ts++;
  st.method = method;
  st.target = text(buf, ts, te - 9);
  st.dashTarget = endsWith(buf, ls, te, MP4_HTTP11) || endsWith(buf, ls, te, M4S_HTTP11);
  const t = st.target;
  st.gnutellaTarget = t.startsWith('/uri-res/') || t.startsWith('/get/') || t.startsWith('/gnutella/');
  if (method === 'CONNECT') st.master = P.HTTP_Connect;
  else if (te - 9 - ts > 7 && startsWithNoCase(buf, ts, te - 9, HTTP_SCHEME)) st.master = P.HTTP_Proxy;
  ctx.set('http_method', method);
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

/** The header name buf[ls, ls + n) is pat (lowercase), ignoring ASCII case. */
function nameIs(buf: Buffer, ls: number, n: number, pat: Uint8Array): boolean {
  return n === pat.length && startsWithNoCase(buf, ls, ls + n, pat);
}

function isSuspiciousName(buf: Buffer, ls: number, n: number): boolean {
  if (n >= SUSPICIOUS_BY_LENGTH.length) return false;
  const names = SUSPICIOUS_BY_LENGTH[n];
  for (let i = 0; i < names.length; i++) if (startsWithNoCase(buf, ls, ls + n, names[i])) return true;
  return false;
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
const WWW_SPEEDTEST = ascii('www.speedtest.net');

const BASIC_CREDENTIALS = /^basic\s+([A-Za-z0-9+/=]+)/i;
const BASIC_OR_DIGEST = /basic|digest/i;

function basicUser(cred: string): string | undefined {
  const m = BASIC_CREDENTIALS.exec(cred);
  if (m === null) return undefined;
  const dec = Buffer.from(m[1], 'base64').toString('utf8');
  const c = dec.indexOf(':');
  return c > 0 ? dec.slice(0, c) : undefined;
}

/** Host: server_name, the IPv4 host check, the URL. */
function hostHeader(ctx: DissectContext, st: HttpState, buf: Buffer, colon: number, te: number): void {
  if (st.host !== undefined) return;
  const vs = valueStart(buf, colon, te);
  st.host = text(buf, vs, valueEnd(buf, vs, te));
  st.hostName = hostWithoutPort(st.host);
  if (st.hostName !== '') {
    if (ctx.ipVersion === 4 && isIpv4(st.hostName)) {
      const a = ctx.dstAddr[ctx.dstAddrOff];
      const dst = `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
      if (dst !== st.hostName) ctx.risk(Risk.HTTP_Susp_Header, `Expected ${dst}, found ${st.hostName}`);
    }
    ctx.set('server_name', st.hostName);
  }
  setUrl(ctx, st);
}

function userAgentHeader(ctx: DissectContext, st: HttpState, buf: Buffer, colon: number, te: number): void {
  if (st.userAgent !== undefined) return;
  const vs = valueStart(buf, colon, te);
  st.userAgent = text(buf, vs, valueEnd(buf, vs, te));
  if (st.userAgent !== '') {
    ctx.set('user_agent', st.userAgent);
    checkUserAgent(ctx, st.userAgent);
  }
}

function authorizationHeader(ctx: DissectContext, buf: Buffer, colon: number, te: number): void {
  const vs = valueStart(buf, colon, te);
  const v = buf.toString('utf8', vs, valueEnd(buf, vs, te));
  if (BASIC_OR_DIGEST.test(v)) ctx.risk(Risk.Clear_Text_Credentials, 'Found credentials in HTTP Auth Line');
  const user = basicUser(v);
  if (user !== undefined) ctx.set('username', user);
}

/** One request header line buf[ls, te) with the colon at colon: dispatched on the name's first letter. */
function requestHeader(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, colon: number, te: number): void {
  const n = colon - ls;
  switch (buf[ls] | 0x20) {
    case 0x68: // h
      if (nameIs(buf, ls, n, H_HOST)) return hostHeader(ctx, st, buf, colon, te);
      break;
    case 0x75: // u
      if (nameIs(buf, ls, n, H_UA)) return userAgentHeader(ctx, st, buf, colon, te);
      break;
    case 0x63: // c
      if (nameIs(buf, ls, n, H_CT)) {
        if (st.reqMediaType !== '') return;
        const vs = valueStart(buf, colon, te);
        st.reqMediaType = buf.toString('utf8', vs, mediaTypeEnd(buf, vs, valueEnd(buf, vs, te))).toLowerCase();
        return;
      }
      break;
    case 0x61: // a
      if (nameIs(buf, ls, n, H_AUTH)) return authorizationHeader(ctx, buf, colon, te);
      break;
    case 0x73: // s
      if (nameIs(buf, ls, n, H_SOAP)) {
        st.soapAction = true;
        return;
      }
      break;
    case 0x72: // r
      if (nameIs(buf, ls, n, H_REFERER)) {
        if (st.sub === 0 && indexOf(buf, colon + 1, te, WWW_SPEEDTEST) >= 0) setSub(ctx, st, P.Ookla);
        return;
      }
      break;
    case 0x78: // x
      if (startsWithNoCase(buf, ls, colon, P_XGNUTELLA) || nameIs(buf, ls, n, H_XQUEUE) || nameIs(buf, ls, n, H_XFEATURES)) {
        st.gnutellaHeader = true;
        return;
      }
      break;
    case 0x64: // d
      if (startsWithNoCase(buf, ls, colon, P_DASH)) {
        st.dashHeader = true;
        return;
      }
      break;
  }
  if (isSuspiciousName(buf, ls, n)) {
    ctx.risk(Risk.HTTP_Susp_Header, `Found ${buf.toString('latin1', ls, Math.min(te, ls + 50))}`);
  }
}

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

/** Server: server_banner, obsolete versions, non-printable banners, ntopng. */
function serverHeader(ctx: DissectContext, st: HttpState, buf: Buffer, colon: number, te: number): void {
  if (ctx.flow.getMeta('server_banner') !== undefined) return;
  const vs = valueStart(buf, colon, te);
  const ve = valueEnd(buf, vs, te);
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
}

const ATTACHMENT = /^attachment;\s*filename\*?=\s*"?([^";]*)/i;

function contentDispositionHeader(ctx: DissectContext, st: HttpState, buf: Buffer, colon: number, te: number): void {
  const vs = valueStart(buf, colon, te);
  const m = ATTACHMENT.exec(buf.toString('utf8', vs, valueEnd(buf, vs, te)));
  if (m !== null && m[1] !== '') {
    const ext = m[1].slice(-3).toLowerCase();
    if (ext === 'exe' || ext === 'msi' || ext === 'cab') {
      if (!st.hostName.endsWith('.windowsupdate.com')) ctx.risk(Risk.Binary_App_Transfer, `Found file extn ${ext}`);
    }
    ctx.risk(Risk.Binary_File_Data_Transfer_Attempt, `File download ${m[1].slice(0, 80)}`);
  }
}

/** One response header line. */
function responseHeader(ctx: DissectContext, st: HttpState, buf: Buffer, ls: number, colon: number, te: number): void {
  const n = colon - ls;
  const c0 = buf[ls] | 0x20;
  if (c0 === 0x73) {
    if (nameIs(buf, ls, n, H_SERVER)) serverHeader(ctx, st, buf, colon, te);
  } else if (c0 === 0x63) {
    if (nameIs(buf, ls, n, H_CT)) {
      if (st.contentType !== '') return;
      const vs = valueStart(buf, colon, te);
      const e = mediaTypeEnd(buf, vs, valueEnd(buf, vs, te));
      if (e > vs) responseContentType(ctx, st, buf.toString('utf8', vs, e));
    } else if (nameIs(buf, ls, n, H_CD)) {
      contentDispositionHeader(ctx, st, buf, colon, te);
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
    const lf = findByte(buf, ls, Math.min(end, ls + MAX_LINE), 10);
    if (lf < 0) {
      if (end - ls >= MAX_LINE) side.kind = Kind.Stop;
      return;
    }
    const te = textEnd(buf, ls, lf);
    side.pos = lf + 1 - base;
    if (ls === base) {
      if (side.kind === Kind.Request) {
        const m = methodAt(buf, ls, te);
        if (isRequestLine(buf, ls, te, m)) requestLine(ctx, st, buf, ls, te, m);
        else side.kind = Kind.Stop;
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
  // Request methods' first letters (case-sensitive), "HTTP/1." and the h2c preface "PRI"; then their second letters.
  tcpFirstBytes: [0x43, 0x44, 0x47, 0x48, 0x4c, 0x4d, 0x4f, 0x50, 0x52, 0x54, 0x55],
  tcpFirstPacket: {
    bytes: [[1, [0x41, 0x45, 0x4b, 0x4e, 0x4f, 0x50, 0x52, 0x54, 0x55]]],
    short: [0x43, 0x44, 0x47, 0x48, 0x4c, 0x4d, 0x4f, 0x50, 0x52, 0x54, 0x55], // a partial start line is Continue
  },
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
          const buf = ctx.buf;
          const lf = findByte(buf, ctx.off, ctx.off + Math.min(ctx.len, MAX_LINE), 10);
          if (lf < 0) return ctx.len >= MAX_LINE ? Verdict.Exclude : Verdict.Continue;
          const te = textEnd(buf, ctx.off, lf);
          const m = methodAt(buf, ctx.off, te);
          if (!isRequestLine(buf, ctx.off, te, m)) return Verdict.Exclude;
          st = new HttpState();
          ctx.state = st;
          const side = st.side[dir];
          side.kind = Kind.Request;
          requestLine(ctx, st, buf, ctx.off, te, m);
          side.pos = lf + 1 - ctx.off;
          // The headers at hand are parsed before labelling: a sub-protocol they show is the label.
          parseSide(ctx, st, side);
        } else {
          st = new HttpState();
          ctx.state = st;
          st.side[dir].kind = Kind.Response;
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
