/**
 * A small client of ClickHouse's HTTP interface (POST /?query=..., the SQL
 * or the data in the body): the `--clickhouse` URL, one request at a time
 * with a deadline, and ClickHouse's error answers turned into SinkErrors.
 *
 * Credentials go in the X-ClickHouse-User / X-ClickHouse-Key headers (what
 * 18.16 and current releases accept; never in the URL, so never in a log).
 * Connections are not kept alive: every request opens its own, so a request
 * that fails after its body was sent really reached the server (or not) and
 * is never a stale pooled socket closed by ClickHouse's keep_alive_timeout.
 *
 * ClickHouse reports errors as "Code: N, e.displayText() = DB::Exception:
 * ..." (18.x) or "Code: N. DB::Exception: ... (NAME) (version ...)" (newer),
 * newer releases also in the X-ClickHouse-Exception-Code header; the HTTP
 * status is not reliable across versions (18.16 answers 500 to a parse
 * error and 400 to another), so errors are classified by code first.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { SinkError, type SinkErrorCode } from '../sinks/transport';

export interface ClickHouseEndpoint {
  secure: boolean;
  /** Host name or address as sockets take it (IPv6 without brackets). */
  host: string;
  port: number;
  /** "http://host:port", for names and messages. */
  origin: string;
  /** From the URL userinfo. */
  username?: string;
  password?: string;
  /** From the URL path (/dbname). */
  database?: string;
}

export interface ClickHouseTls {
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
}

/** Default ports of ClickHouse's HTTP and HTTPS interfaces. */
const DEFAULT_PORT = { http: 8123, https: 8443 } as const;

/** Parses `--clickhouse <url>`: http(s)://[user[:password]@]host[:port][/database]. */
export function parseClickHouseUrl(url: string): ClickHouseEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SinkError('E_SINK_CONFIG', `clickhouse: "${redactUrl(url)}" is not a URL; expected http(s)://host:8123[/database]`);
  }
  const shown = redactUrl(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SinkError('E_SINK_CONFIG', `clickhouse: "${shown}" is not an http:// or https:// URL (ClickHouse's HTTP interface, port 8123 or 8443)`);
  }
  if (u.search !== '' || u.hash !== '') {
    throw new SinkError('E_SINK_CONFIG', `clickhouse: "${shown}" has a query or fragment; give the database as the path (http://host:8123/dbname) and the rest as options`);
  }
  const segments = u.pathname.split('/').filter((s) => s !== '');
  if (segments.length > 1) {
    throw new SinkError('E_SINK_CONFIG', `clickhouse: "${shown}" has a path of several parts; the path can only name the database (http://host:8123/dbname)`);
  }
  const secure = u.protocol === 'https:';
  const port = u.port !== '' ? Number(u.port) : secure ? DEFAULT_PORT.https : DEFAULT_PORT.http;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const ep: ClickHouseEndpoint = { secure, host, port, origin: `${u.protocol}//${u.hostname}:${port}` };
  if (u.username !== '') ep.username = decodeURIComponent(u.username);
  if (u.password !== '') ep.password = decodeURIComponent(u.password);
  if (segments.length === 1) ep.database = decodeURIComponent(segments[0]);
  return ep;
}

/** The URL with any password in its userinfo replaced by "***" (for messages). */
function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

export interface ClickHouseReply {
  status: number;
  body: string;
  /** ClickHouse's exception code, when the answer is an error. */
  code?: number;
}

export interface ClickHouseRequest {
  /** URL parameters (query, query_id, settings). */
  params: Record<string, string>;
  body: Buffer | string;
  /** The body is gzip-compressed. */
  gzip?: boolean;
  /** Set to true once the whole body was handed to the socket (the server may then have acted on it). */
  progress?: { bodySent: boolean };
}

/** Most bytes of an answer kept (answers here are error texts and small SELECT results). */
const MAX_REPLY = 16 << 20;

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

export class ClickHouseHttp {
  private readonly agent: http.Agent;
  private readonly inflight = new Set<(e: SinkError) => void>();
  private closed = false;

  constructor(
    readonly endpoint: ClickHouseEndpoint,
    private readonly name: string,
    private readonly timeoutMs: number,
    private readonly username: string | undefined,
    private readonly password: string | undefined,
    tls: ClickHouseTls | undefined,
  ) {
    this.agent = endpoint.secure
      ? new https.Agent({ keepAlive: false, ca: tls?.ca, rejectUnauthorized: tls?.rejectUnauthorized ?? true })
      : new http.Agent({ keepAlive: false });
  }

  /**
   * One POST. Resolves with any HTTP answer (the caller judges the status);
   * rejects with E_SINK_CONNECT, E_SINK_TLS or E_SINK_TIMEOUT when there is
   * no complete answer within timeoutMs.
   */
  request(r: ClickHouseRequest): Promise<ClickHouseReply> {
    if (this.closed) return Promise.reject(new SinkError('E_SINK_CONNECT', `${this.name}: transport closed`));
    const ep = this.endpoint;
    const where = `${ep.host}:${ep.port}`;
    return new Promise<ClickHouseReply>((resolve, reject) => {
      const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
      const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': body.length };
      if (r.gzip) headers['Content-Encoding'] = 'gzip';
      if (this.username !== undefined) {
        headers['X-ClickHouse-User'] = this.username;
        headers['X-ClickHouse-Key'] = this.password ?? '';
      }
      const options: http.RequestOptions = {
        host: ep.host,
        port: ep.port,
        method: 'POST',
        path: '/?' + new URLSearchParams(r.params).toString(),
        headers,
        agent: this.agent,
      };
      const req = ep.secure ? https.request(options) : http.request(options);
      let connected = false;
      let tcpUp = false;
      let settled = false;
      const finish = (e: SinkError | null, reply?: ClickHouseReply): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(finish);
        if (e !== null) {
          req.destroy();
          reject(e);
        } else {
          resolve(reply as ClickHouseReply);
        }
      };
      const timer = setTimeout(() => {
        const s = (this.timeoutMs / 1000).toFixed(this.timeoutMs % 1000 === 0 ? 0 : 1);
        finish(
          connected
            ? new SinkError('E_SINK_TIMEOUT', `${this.name}: no answer from ${where} within ${s} s`)
            : tcpUp
              // A peer that is not a TLS server may neither answer the ClientHello nor close: a TLS failure.
              ? new SinkError('E_SINK_TLS', `${this.name}: TLS with ${where} did not complete within ${s} s; check the URL scheme and port`)
              : new SinkError('E_SINK_CONNECT', `${this.name}: no connection to ${where} within ${s} s; is ClickHouse reachable there?`),
        );
      }, this.timeoutMs);
      this.inflight.add(finish);
      req.on('socket', (socket) => {
        socket.once('connect', () => {
          tcpUp = true;
        });
        socket.once(ep.secure ? 'secureConnect' : 'connect', () => {
          connected = true;
        });
      });
      req.on('finish', () => {
        if (r.progress !== undefined) r.progress.bodySent = true;
      });
      req.on('error', (err) => finish(this.socketError(err as NodeJS.ErrnoException, where, ep.secure && tcpUp && !connected)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY) {
            finish(new SinkError('E_SINK_PROTOCOL', `${this.name}: the answer from ${where} is larger than ${MAX_REPLY >> 20} MiB`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const reply: ClickHouseReply = { status, body: text };
          const code = exceptionCode(res.headers['x-clickhouse-exception-code'], text);
          if (code !== undefined && (status < 200 || status > 299 || /^Code: \d+[.,]/.test(text))) reply.code = code;
          finish(null, reply);
        });
        res.on('error', (err) => finish(this.socketError(err as NodeJS.ErrnoException, where)));
        res.on('close', () => {
          if (!res.complete) finish(new SinkError('E_SINK_CONNECT', `${this.name}: ${where} closed the connection in the middle of its answer`));
        });
      });
      req.end(body);
    });
  }

  /** Aborts requests in flight (they reject with E_SINK_CONNECT) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const finish of [...this.inflight]) finish(new SinkError('E_SINK_CONNECT', `${this.name}: transport closed`));
    this.agent.destroy();
  }

  /** inHandshake: connected over TCP, TLS not yet up (a peer that is not a TLS server often just resets then). */
  private socketError(err: NodeJS.ErrnoException, where: string, inHandshake = false): SinkError {
    const code = err.code ?? '';
    const tlsFailure = TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /certificate|SSL routines/i.test(err.message) ||
      (inHandshake && (code === 'ECONNRESET' || code === 'EPIPE'));
    if (tlsFailure || (this.endpoint.secure && code === 'EPROTO')) {
      return new SinkError('E_SINK_TLS', `${this.name}: TLS with ${where} failed (${code !== '' ? code : err.message}); check the URL scheme and port, and the CA (tls.ca)`);
    }
    const why = code !== '' ? code : err.message;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new SinkError('E_SINK_CONNECT', `${this.name}: cannot resolve ${this.endpoint.host} (${why})`);
    }
    return new SinkError('E_SINK_CONNECT', `${this.name}: cannot reach ClickHouse at ${where} (${why}); is it running and is this its http_port?`);
  }
}

/** ClickHouse's exception code from the header (newer releases) or the "Code: N" text. */
function exceptionCode(header: string | string[] | undefined, body: string): number | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (h !== undefined && /^\d+$/.test(h.trim())) return Number(h.trim());
  const m = /^Code: (\d+)[.,]/m.exec(body);
  return m === null ? undefined : Number(m[1]);
}

/** The first line of ClickHouse's error text, without the version-specific wrapping: "Code 60: Table default.x doesn't exist.". */
export function exceptionText(body: string, secret?: string): string {
  const first = body.split('\n').find((l) => l.trim() !== '') ?? '';
  let s = first
    .replace(/^Code: (\d+)[.,]\s*(?:e\.displayText\(\) = )?/, 'Code $1: ')
    .replace(/DB::Exception: /, '')
    .replace(/,? e\.what\(\) = [\w:]*\s*$/, '')
    .replace(/\s*\(version [^)]*\)\s*$/, '')
    .trim();
  if (secret !== undefined && secret !== '') s = s.split(secret).join('***');
  return s.length > 300 ? s.slice(0, 297) + '...' : s;
}

/** Codes: credentials or rights refused (READONLY, UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, DATABASE_ACCESS_DENIED, ACCESS_DENIED, AUTHENTICATION_FAILED). */
const AUTH_CODES = new Set([164, 192, 193, 194, 195, 291, 497, 516]);
/** Codes: the data itself does not parse or fit (CANNOT_PARSE_*, TYPE_MISMATCH, INCORRECT_DATA ...). */
const DATA_CODES = new Set([6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130]);
/** Codes: the destination is not as configured (NO_SUCH_COLUMN_IN_TABLE, UNKNOWN_IDENTIFIER, UNKNOWN_TABLE, UNKNOWN_DATABASE, UNKNOWN_SETTING ...). */
const CONFIG_CODES = new Set([16, 46, 47, 60, 81, 115]);
/** Codes: the server is overloaded or the query was interrupted; later may work. */
const BUSY_CODES = new Set([3, 32, 33, 159, 202, 209, 210, 216, 236, 241, 242, 252, 394]);

/**
 * The SinkError for a non-2xx answer to `what` (e.g. "inserting 500
 * records"). `otherwise` is the code for an unrecognised 4xx (E_SINK_REJECTED
 * for data, E_SINK_CONFIG for statements of flowtap's own).
 */
export function replyError(name: string, what: string, reply: ClickHouseReply, otherwise: SinkErrorCode, user: string, secret?: string): SinkError {
  const text = reply.code !== undefined ? exceptionText(reply.body, secret) : `HTTP ${reply.status}${reply.body.trim() !== '' ? `: ${exceptionText(reply.body, secret)}` : ''}`;
  const code = reply.code ?? -1;
  if (AUTH_CODES.has(code) || reply.status === 401 || reply.status === 403) {
    return new SinkError('E_SINK_AUTH', `${name}: ClickHouse refused user "${user}" ${what} (${text}); check the user name, password and the user's rights`);
  }
  if (BUSY_CODES.has(code) || reply.status === 429 || reply.status === 503) {
    return new SinkError('E_SINK_BUSY', `${name}: ClickHouse is busy ${what} (${text})`);
  }
  if (CONFIG_CODES.has(code)) return new SinkError('E_SINK_CONFIG', `${name}: ${what} failed (${text})`);
  if (DATA_CODES.has(code)) return new SinkError('E_SINK_REJECTED', `${name}: ClickHouse refused the data ${what} (${text})`);
  if (reply.code === undefined && reply.status === 404) {
    return new SinkError('E_SINK_CONFIG', `${name}: HTTP 404 ${what}: is this ClickHouse's HTTP interface (port 8123/8443)?`);
  }
  if (reply.status >= 500 || reply.status < 400) return new SinkError('E_SINK_BUSY', `${name}: ${what} failed (${text})`);
  return new SinkError(otherwise, `${name}: ${what} failed (${text})`);
}
