/**
 * The HTTP(S) side of the Elasticsearch/OpenSearch transport: one keep-alive
 * agent per destination, Basic or ApiKey authorization, TLS options (CA,
 * client certificate, verification), one deadline per request, and the
 * translation of socket, TLS and HTTP failures into SinkError codes.
 *
 * node:http/https rather than the global fetch: Node's fetch (undici) takes
 * no CA or client certificate without undici's Agent, which Node does not
 * expose as a public module, and its errors arrive wrapped as "fetch failed";
 * node:https takes the TLS options directly and reports OpenSSL's error codes.
 *
 * Credentials may come in the URL's userinfo (http://user:pass@host:9200);
 * they are taken out of the URL, and nothing this module puts in a message
 * contains them.
 */
import http from 'node:http';
import https from 'node:https';
import { SinkError } from '../sinks/transport';

export interface EsTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

export interface EsConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  apiKey?: string;
  tls?: EsTlsOptions;
  timeoutMs: number;
}

export interface EsReply {
  status: number;
  /** Response body as text (Elasticsearch answers JSON; proxies may not). */
  body: string;
}

/** The parts of a destination URL, credentials separated from what may be shown. */
export interface EsUrl {
  secure: boolean;
  hostname: string;
  port: number;
  /** Path prefix without a trailing slash ("" or "/es"). */
  prefix: string;
  /** scheme://host:port[/prefix], for names and messages. */
  display: string;
  username?: string;
  password?: string;
}

export function parseEsUrl(raw: string): EsUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    /* Not echoed: an unparsable URL may still hold a password. */
    throw new SinkError('E_SINK_CONFIG', 'elasticsearch: the URL is not valid; give http(s)://host:9200[/path]');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SinkError('E_SINK_CONFIG', `elasticsearch: URL scheme ${u.protocol} is not supported; give http://host:9200 or https://host:9200`);
  }
  if (u.search !== '' || u.hash !== '') {
    throw new SinkError('E_SINK_CONFIG', `elasticsearch: the URL must not have a query or fragment (${u.protocol}//${u.host}${u.pathname})`);
  }
  const secure = u.protocol === 'https:';
  const port = u.port !== '' ? Number(u.port) : secure ? 443 : 80;
  const prefix = u.pathname.replace(/\/+$/, '');
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const out: EsUrl = { secure, hostname, port, prefix, display: `${u.protocol}//${u.host}${prefix}` };
  if (u.username !== '') out.username = decodeURIComponent(u.username);
  if (u.password !== '') out.password = decodeURIComponent(u.password);
  return out;
}

/** The Authorization header value, or undefined. An API key "id:key" is encoded; an encoded key is used as given. */
export function authorization(username: string | undefined, password: string | undefined, apiKey: string | undefined): string | undefined {
  if (apiKey !== undefined && apiKey !== '') {
    const encoded = apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
    return `ApiKey ${encoded}`;
  }
  if (username !== undefined && username !== '') {
    return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
  }
  return undefined;
}

/** True for OpenSSL and Node TLS error codes (handshake, verification, host name). */
function isTlsError(err: NodeJS.ErrnoException): boolean {
  const code = err.code ?? '';
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return true;
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|DEPTH_ZERO|HOSTNAME_MISMATCH|SIGNATURE/.test(code);
}

/** OpenSSL's reason out of "...:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/...". */
function opensslReason(message: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return m !== null ? m[1] : message.split('\n')[0];
}

function tlsHint(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (/certificate required|handshake failure/.test(err.message)) return '; the server may require a client certificate (give a certificate and key)';
  if (/SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|DEPTH_ZERO/.test(code)) return '; give the CA certificate that signed the server certificate';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return '; use the host name the certificate was issued for';
  if (code === 'CERT_HAS_EXPIRED') return '; the server certificate has expired';
  return '';
}

export class EsHttp {
  readonly url: EsUrl;
  private readonly agent: http.Agent;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;

  constructor(options: EsConnectionOptions) {
    this.url = parseEsUrl(options.url);
    const apiKey = options.apiKey;
    const username = options.username ?? this.url.username;
    const password = options.password ?? this.url.password;
    if (apiKey !== undefined && apiKey !== '' && username !== undefined && username !== '') {
      throw new SinkError('E_SINK_CONFIG', `elasticsearch ${this.url.display}: give either an API key or a user name and password, not both`);
    }
    if (apiKey !== undefined && !/^[\x21-\x7e]*$/.test(apiKey)) {
      throw new SinkError('E_SINK_CONFIG', `elasticsearch ${this.url.display}: the API key has characters an API key cannot have (spaces, line breaks or non-ASCII)`);
    }
    this.auth = authorization(username, password, apiKey);
    this.timeoutMs = options.timeoutMs;
    if (this.url.secure) {
      const tls = options.tls ?? {};
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
      });
    } else {
      if (options.tls !== undefined && (options.tls.ca !== undefined || options.tls.cert !== undefined || options.tls.key !== undefined)) {
        throw new SinkError('E_SINK_CONFIG', `elasticsearch ${this.url.display}: TLS certificates are given but the URL is http://; use https://`);
      }
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    }
  }

  /** Sends one request; resolves with any HTTP answer, rejects with a SinkError for transport failures. */
  async request(method: string, path: string, body?: string, contentType?: string): Promise<EsReply> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body, contentType);
      } catch (err) {
        if (!(err instanceof StaleSocket)) throw err;
        /* A keep-alive socket the server closed while idle fails at once: one more try on a fresh socket. */
        if (attempt >= 1 || this.closed) throw err.error;
      }
    }
  }

  private once(method: string, path: string, body: string | undefined, contentType: string | undefined): Promise<EsReply> {
    if (this.closed) return Promise.reject(new SinkError('E_SINK_CONNECT', `elasticsearch ${this.url.display}: transport closed`));
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (this.auth !== undefined) headers.Authorization = this.auth;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    if (payload !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const where = `elasticsearch ${this.url.display}`;
    const mod = this.url.secure ? https : http;
    return new Promise<EsReply>((resolve, reject) => {
      let settled = false;
      // connected: the request can be sent (TCP up and, over https, TLS up); tcpUp: TCP alone.
      let connected = false;
      let tcpUp = false;
      const req = mod.request({
        method,
        hostname: this.url.hostname,
        port: this.url.port,
        path: this.url.prefix + path,
        headers,
        agent: this.agent,
      });
      this.inflight.add(req);
      const finish = (err: Error | null, reply?: EsReply): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(req);
        if (err !== null) {
          req.destroy();
          reject(err);
        } else {
          resolve(reply as EsReply);
        }
      };
      const timer = setTimeout(() => {
        finish(connected
          ? new SinkError('E_SINK_TIMEOUT', `${where}: no answer to ${method} ${path} within ${this.timeoutMs} ms`)
          : tcpUp
            // A peer that is not a TLS server may neither answer the ClientHello nor close: a TLS failure.
            ? new SinkError('E_SINK_TLS', `${where}: TLS did not complete within ${this.timeoutMs} ms; check the URL scheme and port`)
            : new SinkError('E_SINK_CONNECT', `${where}: could not connect within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) {
          connected = true;
          return;
        }
        const secure = this.url.secure;
        socket.once('connect', () => {
          tcpUp = true;
          if (!secure) connected = true;
        });
        if (secure) {
          socket.once('secureConnect', () => {
            connected = true;
          });
        }
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        if (this.closed) {
          finish(new SinkError('E_SINK_CONNECT', `${where}: transport closed`));
          return;
        }
        const error = classify(e, where, this.url.secure);
        if (req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          finish(new StaleSocket(error));
          return;
        }
        finish(error);
      });
      req.on('response', (res) => {
        connected = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) {
            finish(new SinkError('E_SINK_PROTOCOL', `${where}: answer to ${method} ${path} is larger than ${MAX_RESPONSE} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e: NodeJS.ErrnoException) => finish(classify(e, where, this.url.secure)));
        res.on('close', () => {
          if (!res.complete) finish(new SinkError('E_SINK_CONNECT', `${where}: connection closed in the middle of the answer to ${method} ${path}`));
        });
      });
      req.end(payload);
    });
  }

  /** Ends connections; requests in flight reject with E_SINK_CONNECT. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const req of this.inflight) req.destroy(new Error('closed'));
    this.inflight.clear();
    this.agent.destroy();
  }
}

const MAX_RESPONSE = 256 << 20;

/** A reused keep-alive socket failed before the request got through: worth one more try on a new socket. */
class StaleSocket extends Error {
  readonly error: SinkError;
  constructor(error: SinkError) {
    super(error.message);
    this.error = error;
  }
}

function classify(e: NodeJS.ErrnoException, where: string, secure: boolean): SinkError {
  if (e instanceof SinkError) return e;
  if (isTlsError(e)) return new SinkError('E_SINK_TLS', `${where}: TLS failed: ${opensslReason(e.message)}${tlsHint(e)}`);
  const detail = e.code !== undefined && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
  const hint = !secure && e.code === 'ECONNRESET' ? '; if the server uses TLS, use an https:// URL' : '';
  return new SinkError('E_SINK_CONNECT', `${where}: ${detail}${hint}`);
}

/** The most useful one-line reason from an Elasticsearch error body ({error:{type,reason}}, {error:"..."} or text). */
export function errorReason(body: string): string {
  let reason = '';
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = j.error;
    if (typeof e === 'string') reason = e;
    else if (e !== null && typeof e === 'object') {
      const o = e as { type?: unknown; reason?: unknown };
      reason = [o.type, o.reason].filter((x) => typeof x === 'string' && x !== '').join(': ');
    } else if (typeof j.message === 'string') reason = j.message;
  } catch {
    reason = body.replace(/\s+/g, ' ').trim();
  }
  return reason.length > 300 ? `${reason.slice(0, 300)}...` : reason;
}

/**
 * The SinkError for an HTTP status that is not success. `what` names the
 * request ("bulk request", "index template flowtap").
 */
export function httpError(where: string, what: string, reply: EsReply): SinkError {
  const s = reply.status;
  const reason = errorReason(reply.body);
  const said = `HTTP ${s}${reason !== '' ? `: ${reason}` : ''}`;
  if (s === 401) return new SinkError('E_SINK_AUTH', `${where}: credentials refused (${said}); check the user name and password or the API key`);
  if (s === 403) return new SinkError('E_SINK_AUTH', `${where}: the ${what} is not allowed for this user or API key (${said}); grant the missing privilege`);
  if (s === 429 || s >= 500) return new SinkError('E_SINK_BUSY', `${where}: ${what} not accepted now (${said})`);
  if (s === 404 || s === 405) return new SinkError('E_SINK_CONFIG', `${where}: ${what}: no such endpoint (${said}); is the URL (and its path prefix) an Elasticsearch or OpenSearch server?`);
  if (s === 413) return new SinkError('E_SINK_REJECTED', `${where}: ${what} too large for the server (${said}); send smaller batches`);
  if (s >= 400) return new SinkError('E_SINK_REJECTED', `${where}: ${what} refused (${said})`);
  return new SinkError('E_SINK_PROTOCOL', `${where}: unexpected answer to the ${what} (${said})`);
}
