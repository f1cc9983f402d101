/**
 * Options of the fluentd forward transport (ndff's -s/-p/-t/-m plus what the
 * Forward Protocol v1 adds: carrier mode, chunk acks, EventTime, TLS and the
 * HELO/PING/PONG handshake), their defaults, and the checks of combinations
 * that can never work (reported as UsageError E_CONFIG when the transport is
 * built, so a bad configuration stops flowtap before any record is read).
 */
import { UsageError } from '../../util/errors';

export type ForwardEncoding = 'msgpack' | 'json';
export type ForwardMode = 'message' | 'forward' | 'packed' | 'compressed';

export interface ForwardTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Verify the server certificate (default true). */
  rejectUnauthorized?: boolean;
  /** SNI and certificate name to check (default: host, when it is a name). */
  servername?: string;
}

export interface ForwardOptions {
  host: string;
  /** Default 24224. */
  port: number;
  /** Default 'ndpi.flow' (ndff's). */
  tag: string;
  /** ndff's -m. */
  encoding: ForwardEncoding;
  /**
   * Carrier mode. Default 'packed' for msgpack, 'forward' for json (JSON can
   * carry only Message and Forward: PackedForward needs a binary string).
   */
  mode: ForwardMode;
  /** Send the 'chunk' option and wait for {ack: chunk} (default true). */
  ack: boolean;
  /** EventTime ext type 0 (default true) instead of integer seconds; json always sends integer seconds. */
  eventTime: boolean;
  tls?: ForwardTlsOptions;
  sharedKey?: string;
  selfHostname?: string;
  username?: string;
  password?: string;
  /** Keep the connection between batches (default true). */
  keepalive: boolean;
  /** TCP connect + TLS + handshake (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Writing a batch and receiving its acks (default 30 000 ms). */
  ackTimeoutMs?: number;
  /** Default 1000 records. */
  maxBatch?: number;
  /** Default 1000 ms. */
  lingerMs?: number;
}

export const FORWARD_DEFAULTS = {
  port: 24224,
  tag: 'ndpi.flow',
  encoding: 'msgpack' as ForwardEncoding,
  ack: true,
  eventTime: true,
  keepalive: true,
  connectTimeoutMs: 10_000,
  ackTimeoutMs: 30_000,
  maxBatch: 1000,
  lingerMs: 1000,
};

/** The default carrier mode of an encoding. */
export function defaultMode(encoding: ForwardEncoding): ForwardMode {
  return encoding === 'json' ? 'forward' : 'packed';
}

/** Options with every default filled in. */
export interface ResolvedForwardOptions extends Required<Omit<ForwardOptions, 'tls' | 'sharedKey' | 'username' | 'password'>> {
  tls?: ForwardTlsOptions;
  sharedKey?: string;
  username?: string;
  password?: string;
}

/**
 * Fills defaults in and rejects combinations that cannot work; messages name
 * the option and never contain a secret.
 */
export function resolveForwardOptions(o: Partial<ForwardOptions> & { host: string }, selfHostname: string): ResolvedForwardOptions {
  const encoding = o.encoding ?? FORWARD_DEFAULTS.encoding;
  const r: ResolvedForwardOptions = {
    host: o.host,
    port: o.port ?? FORWARD_DEFAULTS.port,
    tag: o.tag ?? FORWARD_DEFAULTS.tag,
    encoding,
    mode: o.mode ?? defaultMode(encoding),
    ack: o.ack ?? FORWARD_DEFAULTS.ack,
    eventTime: o.eventTime ?? FORWARD_DEFAULTS.eventTime,
    tls: o.tls,
    sharedKey: o.sharedKey,
    selfHostname: o.selfHostname ?? selfHostname,
    username: o.username,
    password: o.password,
    keepalive: o.keepalive ?? FORWARD_DEFAULTS.keepalive,
    connectTimeoutMs: o.connectTimeoutMs ?? FORWARD_DEFAULTS.connectTimeoutMs,
    ackTimeoutMs: o.ackTimeoutMs ?? FORWARD_DEFAULTS.ackTimeoutMs,
    maxBatch: o.maxBatch ?? FORWARD_DEFAULTS.maxBatch,
    lingerMs: o.lingerMs ?? FORWARD_DEFAULTS.lingerMs,
  };
  const bad = (msg: string): never => {
    throw new UsageError(`fluentd output: ${msg}`, 'E_CONFIG');
  };
  if (typeof r.host !== 'string' || r.host === '') bad('a host is required (-s <host>)');
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) bad(`port ${String(r.port)} is not a TCP port (1-65535)`);
  if (typeof r.tag !== 'string' || r.tag === '') bad('the tag must not be empty (-t <tag>)');
  if (r.encoding !== 'msgpack' && r.encoding !== 'json') bad(`encoding '${String(r.encoding)}' is not msgpack or json (-m)`);
  if (!['message', 'forward', 'packed', 'compressed'].includes(r.mode)) bad(`mode '${String(r.mode)}' is not message, forward, packed or compressed`);
  if (r.encoding === 'json' && (r.mode === 'packed' || r.mode === 'compressed')) {
    bad(`mode '${r.mode}' needs msgpack encoding (fluentd reads JSON only in message or forward mode)`);
  }
  if (r.encoding === 'json' && r.sharedKey !== undefined) {
    bad('a shared key needs msgpack encoding (fluentd authenticates only msgpack connections)');
  }
  if (r.sharedKey === '') bad('the shared key must not be empty');
  if ((r.username !== undefined || r.password !== undefined) && r.sharedKey === undefined) {
    bad('username/password authentication needs a shared key too (fluentd <security>)');
  }
  if ((r.username === undefined) !== (r.password === undefined)) bad('username and password go together');
  if (r.selfHostname === '') bad('selfHostname must not be empty');
  for (const [name, v] of [['connectTimeoutMs', r.connectTimeoutMs], ['ackTimeoutMs', r.ackTimeoutMs], ['maxBatch', r.maxBatch]] as const) {
    if (!Number.isFinite(v) || v <= 0) bad(`${name} must be a positive number`);
  }
  if (!Number.isFinite(r.lingerMs) || r.lingerMs < 0) bad('lingerMs must not be negative');
  return r;
}
