/**
 * IPFIX (RFC 7011) and NetFlow v9 (RFC 3954) export over UDP: `--ipfix
 * udp://host:4739`, `--netflow9 udp://host:2055`. A batch is delivered when
 * all its datagrams are handed to the kernel; templates are sent first on a
 * new socket and resent periodically (message-stream.ts).
 *
 * Collector errors: the socket is connected, so the kernel reports ICMP
 * errors for it (port unreachable → ECONNREFUSED, host/network unreachable).
 * They arrive after the datagram that caused them was sent, as a socket
 * error. So a new socket, and a socket that had such an error, first sends
 * only the templates and waits up to `probeMs` for an error: if one comes,
 * send() rejects with E_SINK_CONNECT and the batch is not sent (the delivery
 * layer keeps and retries it); if none comes, the batch goes. An error
 * arriving while a batch is handed over also rejects it (records may then
 * arrive twice after the retry). The batch sent when a running collector
 * stops is lost (UDP: it counted as delivered); a warning says so on the next
 * send. Without ICMP (firewall, host down) loss goes unnoticed. TCP transport
 * (RFC 7011 §10.4) is not implemented.
 */
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { FlowRecord } from '../../flow/record';
import { SinkError, type SendResult, type SinkLog, type Transport } from '../sinks/transport';
import { MessageStream, minimumMtu } from './message-stream';
import type { ExportProtocol } from './templates';

export interface IpfixOptions {
  protocol: ExportProtocol;
  /** udp://host:port (default ports 4739 for IPFIX, 2055 for NetFlow v9). */
  url: string;
  /** IPFIX observation domain id / NetFlow v9 source id; default 1. */
  observationDomain?: number;
  /** Largest datagram payload in bytes; default 1400 (fits a 1500-byte path with IPv6 and tunnel headers). */
  mtu?: number;
  /** Resend templates after this many datagrams; default 20 (Cisco's v9 default refresh rate). */
  templateRefreshPackets?: number;
  /** Resend templates after this many seconds; default 60 (well below collectors' template lifetimes). */
  templateRefreshSeconds?: number;
  /** Records per send(); default 1000. */
  maxBatch?: number;
  /** Wait for a full batch at most this long (ms); default 1000. */
  lingerMs?: number;
  /** How long a probe waits for an ICMP error (ms); default 100. */
  probeMs?: number;
  /** Timeout for name resolution and socket setup (ms); default 5000. */
  connectTimeoutMs?: number;
  /** Timeout for handing a batch's datagrams to the kernel (ms); default 5000. */
  sendTimeoutMs?: number;
}

export const DEFAULT_PORTS: Readonly<Record<ExportProtocol, number>> = { ipfix: 4739, netflow9: 2055 };

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'port unreachable (nothing listens there)';
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return 'host unreachable';
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'network unreachable';
    default:
      return e.code ?? e.message;
  }
}

interface Target {
  host: string;
  port: number;
}

function parseTarget(protocol: ExportProtocol, rawUrl: string, flag: string): Target {
  // Messages show the URL without any user:password@ part.
  const url = rawUrl.replace(/\/\/[^/@]*@/, '//');
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    throw new SinkError('E_SINK_CONFIG', `${flag} ${url}: not a URL; use udp://host:port`);
  }
  if (u.protocol !== 'udp:') {
    throw new SinkError('E_SINK_CONFIG', `${flag} ${url}: only udp:// is supported (e.g. udp://collector:${DEFAULT_PORTS[protocol]})`);
  }
  if (u.username !== '' || u.password !== '' || (u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') {
    throw new SinkError('E_SINK_CONFIG', `${flag} ${url}: give only udp://host:port`);
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '') throw new SinkError('E_SINK_CONFIG', `${flag} ${url}: no host; use udp://host:port`);
  const port = u.port === '' ? DEFAULT_PORTS[protocol] : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SinkError('E_SINK_CONFIG', `${flag} ${url}: bad port`);
  return { host, port };
}

function intOption(flag: string, name: string, v: number | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new SinkError('E_SINK_CONFIG', `${flag}: ${name} must be an integer from ${min} to ${max} (got ${String(v)})`);
  }
  return v;
}

export class IpfixTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;
  private readonly target: Target;
  private readonly stream: MessageStream;
  private readonly probeMs: number;
  private readonly connectTimeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly log: SinkLog | undefined;
  private socket: dgram.Socket | null = null;
  /** An ICMP-reported error not yet returned by a send(). */
  private pendingError: NodeJS.ErrnoException | null = null;
  /** Woken when a socket error arrives (probe and send waits). */
  private errorWaiters: (() => void)[] = [];
  /** Send templates and wait for an error before the next data. */
  private needProbe = true;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Rejects the send in progress (close()). */
  private abortCurrent: ((e: SinkError) => void) | null = null;

  constructor(opts: IpfixOptions, log?: SinkLog) {
    const flag = opts.protocol === 'ipfix' ? '--ipfix' : '--netflow9';
    if (opts.protocol !== 'ipfix' && opts.protocol !== 'netflow9') {
      throw new SinkError('E_SINK_CONFIG', `unknown flow export protocol ${String(opts.protocol)}; use ipfix or netflow9`);
    }
    this.target = parseTarget(opts.protocol, opts.url, flag);
    const hostText = isIP(this.target.host) === 6 ? `[${this.target.host}]` : this.target.host;
    this.name = `${opts.protocol} udp://${hostText}:${this.target.port}`;
    const mtu = intOption(flag, 'mtu', opts.mtu, 1400, minimumMtu(opts.protocol), 65507);
    this.maxBatch = intOption(flag, 'maxBatch', opts.maxBatch, 1000, 1, 1_000_000);
    this.lingerMs = intOption(flag, 'lingerMs', opts.lingerMs, 1000, 0, 3_600_000);
    this.probeMs = intOption(flag, 'probeMs', opts.probeMs, 100, 0, 60_000);
    this.connectTimeoutMs = intOption(flag, 'connectTimeoutMs', opts.connectTimeoutMs, 5000, 1, 600_000);
    this.sendTimeoutMs = intOption(flag, 'sendTimeoutMs', opts.sendTimeoutMs, 5000, 1, 600_000);
    this.stream = new MessageStream(
      {
        protocol: opts.protocol,
        domain: intOption(flag, 'observationDomain', opts.observationDomain, 1, 0, 0xffffffff),
        mtu,
        refreshPackets: intOption(flag, 'templateRefreshPackets', opts.templateRefreshPackets, 20, 0, 1_000_000),
        refreshSeconds: intOption(flag, 'templateRefreshSeconds', opts.templateRefreshSeconds, 60, 0, 86_400),
      },
      Date.now(),
    );
    this.log = log;
  }

  send(batch: readonly FlowRecord[]): Promise<SendResult | void> {
    const run = this.queue.then(() => this.sendNow(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abortCurrent?.(this.closedError());
    this.wakeErrorWaiters();
    const s = this.socket;
    this.socket = null;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private closedError(): SinkError {
    return new SinkError('E_SINK_CONNECT', `${this.name}: exporter closed`);
  }

  private collectorError(e: NodeJS.ErrnoException): SinkError {
    return new SinkError(e.code === 'EMSGSIZE' ? 'E_SINK_CONFIG' : 'E_SINK_CONNECT', `${this.name}: ${this.collectorProblem(e)}`);
  }

  /** What a socket error means, without the exporter's name (log messages get it from the delivery layer). */
  private collectorProblem(e: NodeJS.ErrnoException): string {
    if (e.code === 'EMSGSIZE') return 'datagram too large for the path (EMSGSIZE); lower the mtu option';
    return `collector not reachable: ${describe(e)}; check that the collector runs and listens on UDP port ${this.target.port}`;
  }

  private onSocketError(e: NodeJS.ErrnoException): void {
    if (this.pendingError === null) this.pendingError = e;
    this.wakeErrorWaiters();
  }

  private wakeErrorWaiters(): void {
    const waiters = this.errorWaiters;
    this.errorWaiters = [];
    for (const w of waiters) w();
  }

  /** Returns (and clears) the socket error reported since the last check, preparing a probe for the next send. */
  private takeError(): NodeJS.ErrnoException | null {
    const e = this.pendingError;
    if (e === null) return null;
    this.pendingError = null;
    this.needProbe = true;
    this.stream.forceTemplates();
    return e;
  }

  private withTimeout<T>(p: Promise<T>, ms: number, what: string, code: 'E_SINK_TIMEOUT' | 'E_SINK_CONNECT'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SinkError(code, `${this.name}: ${what} took longer than ${ms} ms`)), ms);
      this.abortCurrent = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private async connect(): Promise<dgram.Socket> {
    if (this.socket !== null) return this.socket;
    const { host, port } = this.target;
    let address: string;
    let family: number;
    if (isIP(host) !== 0) {
      address = host;
      family = isIP(host);
    } else {
      try {
        const r = await this.withTimeout(lookup(host), this.connectTimeoutMs, `resolving ${host}`, 'E_SINK_CONNECT');
        address = r.address;
        family = r.family;
      } catch (e) {
        if (e instanceof SinkError) throw e;
        throw new SinkError('E_SINK_CONNECT', `${this.name}: cannot resolve ${host} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the host name`);
      }
    }
    if (this.closed) throw this.closedError();
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    socket.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(e));
    try {
      await this.withTimeout(
        new Promise<void>((resolve, reject) => {
          const onError = (e: Error): void => reject(e);
          socket.once('error', onError);
          socket.connect(port, address, () => {
            socket.off('error', onError);
            resolve();
          });
        }),
        this.connectTimeoutMs,
        `connecting to ${address}:${port}`,
        'E_SINK_CONNECT',
      );
    } catch (e) {
      this.pendingError = null;
      socket.close();
      if (e instanceof SinkError) throw e;
      throw this.collectorError(e as NodeJS.ErrnoException);
    }
    if (this.closed) {
      socket.close();
      throw this.closedError();
    }
    socket.unref();
    this.socket = socket;
    this.needProbe = true;
    this.stream.forceTemplates();
    this.log?.info(`exporting from local port ${socket.address().port}`);
    return socket;
  }

  private transmit(socket: dgram.Socket, datagrams: readonly Buffer[]): Promise<void> {
    let left = datagrams.length;
    let failed = false;
    const sent = new Promise<void>((resolve, reject) => {
      if (left === 0) resolve();
      for (const d of datagrams) {
        socket.send(d, (err) => {
          if (failed) return;
          if (err) {
            failed = true;
            reject(this.collectorError(err as NodeJS.ErrnoException));
            return;
          }
          if (--left === 0) resolve();
        });
      }
    });
    return this.withTimeout(sent, this.sendTimeoutMs, `handing ${datagrams.length} datagrams to the kernel`, 'E_SINK_TIMEOUT');
  }

  /** Sends the templates alone and waits up to probeMs for an ICMP error. */
  private async probe(socket: dgram.Socket): Promise<void> {
    await this.transmit(socket, [this.stream.templatesOnly(Date.now())]);
    if (this.probeMs > 0 && this.pendingError === null) {
      await this.withTimeout(
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.probeMs);
          this.errorWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
        this.probeMs + this.sendTimeoutMs,
        'waiting for the collector',
        'E_SINK_TIMEOUT',
      );
    }
    if (this.closed) throw this.closedError();
    const err = this.takeError();
    if (err !== null) throw this.collectorError(err);
    this.needProbe = false;
  }

  private async sendNow(batch: readonly FlowRecord[]): Promise<SendResult | void> {
    try {
      if (this.closed) throw this.closedError();
      const socket = await this.connect();
      // An error from before this send was caused by datagrams already reported as sent: they
      // may be lost, but whether this batch can go depends only on the probe that follows.
      const earlier = this.takeError();
      if (earlier !== null) this.log?.warn(`${this.collectorProblem(earlier)}; records sent just before may be lost`);
      if (batch.length === 0) return;
      if (this.needProbe) await this.probe(socket);
      const packed = this.stream.pack(batch, Date.now());
      await this.transmit(socket, packed.datagrams);
      if (this.closed) throw this.closedError();
      const during = this.takeError();
      if (during !== null) throw this.collectorError(during);
      if (packed.invalid > 0) {
        this.log?.warn(`${packed.invalid} records not exported: ${packed.reason ?? ''}`);
        return { rejected: packed.invalid, reason: packed.reason };
      }
      return;
    } catch (e) {
      if (e instanceof SinkError && e.code !== 'E_SINK_CONFIG') this.stream.forceTemplates();
      throw e;
    } finally {
      this.abortCurrent = null;
    }
  }
}
