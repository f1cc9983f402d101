/**
 * One TCP (or TLS over TCP) connection to a fluentd forward server: connect,
 * TLS handshake (node:tls over the connected socket, so a TCP failure and a
 * TLS failure are told apart), the optional HELO/PING/PONG handshake, then
 * deliveries: write the bytes of a batch and wait for the acks of its chunks.
 *
 * Every wait has a deadline. Errors become SinkErrors whose messages name the
 * server as host:port and the reason (errno, TLS reason, what the server
 * sent), never a secret:
 *   E_SINK_CONNECT   TCP connect/resolve failures, resets, the server closing
 *   E_SINK_TLS       TLS handshake or certificate verification failures
 *   E_SINK_AUTH      HELO without a configured key, PONG refusal or bad proof
 *   E_SINK_PROTOCOL  bytes that are not a HELO/PONG/ack, unknown acks, a
 *                    connection closed in the middle of a server message
 *   E_SINK_TIMEOUT   no ack (or TLS/HELO/PONG step) in time
 * Any failure ends the connection (socket destroyed, every waiter rejected
 * with that same error); the owner opens a new one for the next batch. A
 * server that closes an idle connection just makes it !alive.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { SinkError, type SinkErrorCode } from '../sinks/transport';
import { buildPing, checkPong, type Credentials } from './handshake';
import { ProtocolFault, ServerMessageReader, type ServerMessage } from './server-messages';
import type { ForwardTlsOptions } from './options';

export interface Endpoint {
  host: string;
  port: number;
  tls?: ForwardTlsOptions;
  connectTimeoutMs: number;
}

/** host:port as written in messages ([v6]:port for IPv6). */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

type Phase = 'tcp' | 'tls' | 'helo' | 'pong' | 'ready';

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: SinkError): void;
}

export class ForwardConnection {
  /** False after a failure, a close by either side, or close(). */
  alive = true;
  /** False when the server's HELO said it closes connections after each message. */
  serverKeepalive = true;
  /** Acks received during the current (or last) delivery. */
  acksInDelivery = 0;

  private phase: Phase = 'tcp';
  private receivedAny = false;
  private socket: net.Socket;
  private readonly reader = new ServerMessageReader();
  private readonly where: string;
  private failure: SinkError | null = null;
  private handshakeWaiter: Waiter<ServerMessage> | null = null;
  private readonly handshakeInbox: ServerMessage[] = [];
  private readonly acks = new Map<string, () => void>();
  private ackFailure: ((e: SinkError) => void) | null = null;

  private constructor(private readonly ep: Endpoint) {
    this.where = hostPort(ep.host, ep.port);
    this.socket = net.connect({ host: ep.host, port: ep.port });
    this.socket.setNoDelay(true);
    this.socket.on('error', (e) => this.onSocketError(e));
  }

  /**
   * Connects, runs TLS and the handshake; resolves when events can be sent.
   * started() receives the connection at once, so its owner can fail() it
   * (abort the opening) while this is still waiting.
   */
  static async open(ep: Endpoint, creds: Credentials | null, started?: (c: ForwardConnection) => void): Promise<ForwardConnection> {
    const c = new ForwardConnection(ep);
    started?.(c);
    const timer = setTimeout(() => c.onOpenTimeout(), ep.connectTimeoutMs);
    try {
      await c.tcpConnected();
      if (ep.tls !== undefined) await c.startTls(ep.tls);
      c.listen();
      if (creds !== null) await c.handshake(creds);
      c.phase = 'ready';
      return c;
    } catch (e) {
      c.fail(e instanceof SinkError ? e : new SinkError('E_SINK_CONNECT', `connecting to ${c.where} failed: ${String(e)}`));
      throw c.failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Writes one batch; resolves when every chunk is acked (or, with chunks
   * null, when the bytes are handed to the kernel). Fails the connection on
   * any error or when timeoutMs passes.
   */
  async deliver(bytes: Buffer, chunks: readonly string[] | null, timeoutMs: number): Promise<void> {
    if (!this.alive) throw this.failure ?? this.error('E_SINK_CONNECT', `the connection to ${this.where} is closed`);
    this.acksInDelivery = 0;
    const acked = chunks === null || chunks.length === 0 ? null : this.expectAcks(chunks);
    acked?.catch(() => undefined);
    const timer = setTimeout(() => {
      const missing = this.acks.size;
      this.fail(
        chunks === null
          ? this.error('E_SINK_TIMEOUT', `could not write the batch to ${this.where} within ${timeoutMs} ms (the server is not reading)`)
          : this.error('E_SINK_TIMEOUT', `no ack from ${this.where} within ${timeoutMs} ms for ${missing} of ${chunks.length} chunk(s); the connection was dropped`),
      );
    }, timeoutMs);
    try {
      await this.write(bytes);
      if (acked !== null) await acked;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the connection politely (after pending writes); idempotent. */
  close(): void {
    if (!this.alive) return;
    this.alive = false;
    this.failure = this.error('E_SINK_CONNECT', `the connection to ${this.where} was closed by flowtap`);
    this.rejectWaiters(this.failure);
    const s = this.socket;
    s.end(() => s.destroy());
    setTimeout(() => s.destroy(), 2000).unref();
  }

  /** Ends the connection at once because of err; every waiter rejects with it. */
  fail(err: SinkError): void {
    if (!this.alive) return;
    this.alive = false;
    this.failure = err;
    this.rejectWaiters(err);
    this.socket.destroy();
  }

  // ---- opening -------------------------------------------------------------

  private tcpConnected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.handshakeWaiter = { resolve: () => undefined, reject };
    }).finally(() => {
      this.handshakeWaiter = null;
    }) as Promise<void>;
  }

  private startTls(o: ForwardTlsOptions): Promise<void> {
    this.phase = 'tls';
    const servername = o.servername ?? (net.isIP(this.ep.host) === 0 ? this.ep.host : undefined);
    const secure = tls.connect({
      socket: this.socket,
      host: this.ep.host,
      servername,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: o.rejectUnauthorized ?? true,
    });
    this.socket = secure;
    secure.on('error', (e) => this.onSocketError(e));
    return new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      this.handshakeWaiter = { resolve: () => undefined, reject };
      secure.once('close', () => this.onClose());
    }).finally(() => {
      this.handshakeWaiter = null;
    });
  }

  private listen(): void {
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('end', () => this.onClose());
    this.socket.on('close', () => this.onClose());
  }

  private async handshake(creds: Credentials): Promise<void> {
    this.phase = 'helo';
    const helo = await this.nextHandshakeMessage();
    if (helo.type !== 'helo') throw this.error('E_SINK_PROTOCOL', `${this.where} sent ${helo.type === 'ack' ? 'an ack' : 'PONG'} instead of HELO`);
    if (!helo.keepalive) this.serverKeepalive = false;
    const ping = buildPing(helo, creds);
    this.phase = 'pong';
    this.socket.write(ping.bytes);
    const pong = await this.nextHandshakeMessage();
    if (pong.type !== 'pong') throw this.error('E_SINK_PROTOCOL', `${this.where} sent ${pong.type === 'ack' ? 'an ack' : 'HELO'} instead of PONG`);
    const problem = checkPong(pong, helo, ping, creds);
    if (problem !== null) throw this.error('E_SINK_AUTH', `authentication with ${this.where} failed: ${problem}`);
  }

  private nextHandshakeMessage(): Promise<ServerMessage> {
    const queued = this.handshakeInbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (!this.alive) return Promise.reject(this.failure);
    return new Promise<ServerMessage>((resolve, reject) => {
      this.handshakeWaiter = { resolve, reject };
    }).finally(() => {
      this.handshakeWaiter = null;
    });
  }

  private onOpenTimeout(): void {
    const ms = this.ep.connectTimeoutMs;
    switch (this.phase) {
      case 'tcp':
        this.fail(this.error('E_SINK_CONNECT', `cannot connect to ${this.where}: no answer within ${ms} ms`));
        break;
      case 'tls':
        this.fail(this.error('E_SINK_TIMEOUT', `TLS handshake with ${this.where} not finished within ${ms} ms`));
        break;
      case 'helo':
        this.fail(
          this.error('E_SINK_TIMEOUT', `no HELO from ${this.where} within ${ms} ms although a shared key is configured (does the server's in_forward have <security>?${this.ep.tls === undefined ? ' is it a TLS port?' : ''})`),
        );
        break;
      default:
        this.fail(this.error('E_SINK_TIMEOUT', `no PONG from ${this.where} within ${ms} ms after our PING`));
    }
  }

  // ---- events --------------------------------------------------------------

  private onSocketError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (this.phase === 'tcp') {
      const what = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `cannot resolve ${this.ep.host} (for ${this.where})` : `cannot connect to ${this.where}`;
      this.fail(this.error('E_SINK_CONNECT', `${what}: ${code || e.message}`));
    } else if (this.phase === 'tls') {
      this.fail(this.error('E_SINK_TLS', `TLS handshake with ${this.where} failed: ${e.message}${code && !e.message.includes(code) ? ` (${code})` : ''}`));
    } else {
      this.fail(this.error('E_SINK_CONNECT', `the connection to ${this.where} failed: ${code || e.message}`));
    }
  }

  private onClose(): void {
    if (!this.alive) return;
    if (this.reader.pendingBytes > 0) {
      this.fail(this.error('E_SINK_PROTOCOL', `${this.where} closed the connection in the middle of a message (${this.reader.pendingBytes} bytes)`));
    } else if (this.phase === 'tls') {
      this.fail(this.error('E_SINK_TLS', `TLS handshake with ${this.where} failed: the server closed the connection (is it a TLS port?)`));
    } else if (this.phase === 'helo' || this.phase === 'pong') {
      this.fail(this.error('E_SINK_AUTH', `${this.where} closed the connection during the handshake (waiting for ${this.phase.toUpperCase()})`));
    } else {
      this.fail(this.error('E_SINK_CONNECT', this.acks.size > 0 ? `${this.where} closed the connection before acknowledging ${this.acks.size} chunk(s)` : `${this.where} closed the connection`));
    }
  }

  private onData(d: Buffer): void {
    if (!this.alive) return;
    if (!this.receivedAny && this.ep.tls === undefined && d.length >= 2 && (d[0] === 0x15 || d[0] === 0x16) && d[1] === 0x03) {
      this.fail(this.error('E_SINK_TLS', `${this.where} answered with TLS: it is a TLS port, configure tls`));
      return;
    }
    this.receivedAny = true;
    let messages: ServerMessage[];
    try {
      messages = this.reader.push(d);
    } catch (e) {
      const why = e instanceof ProtocolFault ? e.message : String(e);
      this.fail(this.error('E_SINK_PROTOCOL', `invalid response from ${this.where}: ${why}`));
      return;
    }
    for (const m of messages) {
      if (!this.alive) return;
      this.route(m);
    }
  }

  private route(m: ServerMessage): void {
    if (this.phase !== 'ready') {
      if (this.handshakeWaiter !== null) this.handshakeWaiter.resolve(m);
      else this.handshakeInbox.push(m);
      return;
    }
    if (m.type === 'helo') {
      this.fail(this.error('E_SINK_AUTH', `${this.where} requires shared-key authentication (it sent HELO); configure its shared key (and msgpack encoding)`));
      return;
    }
    if (m.type === 'pong') {
      this.fail(this.error('E_SINK_PROTOCOL', `invalid response from ${this.where}: PONG outside a handshake`));
      return;
    }
    const done = this.acks.get(m.chunk);
    if (done === undefined) {
      this.fail(this.error('E_SINK_PROTOCOL', `invalid response from ${this.where}: an ack for a chunk that is not waiting for one`));
      return;
    }
    this.acks.delete(m.chunk);
    this.acksInDelivery++;
    done();
  }

  // ---- helpers -------------------------------------------------------------

  private expectAcks(chunks: readonly string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let left = chunks.length;
      for (const c of chunks) {
        this.acks.set(c, () => {
          if (--left === 0) {
            this.ackFailure = null;
            resolve();
          }
        });
      }
      this.ackFailure = reject;
    });
  }

  private write(bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.socket.write(bytes, (err) => {
        if (err) {
          const failure = this.failure ?? this.error('E_SINK_CONNECT', `writing to ${this.where} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
          this.fail(failure);
          reject(failure);
        } else if (!this.alive) {
          reject(this.failure);
        } else {
          resolve();
        }
      });
    });
  }

  private rejectWaiters(err: SinkError): void {
    this.handshakeWaiter?.reject(err);
    this.handshakeWaiter = null;
    this.acks.clear();
    this.ackFailure?.(err);
    this.ackFailure = null;
  }

  private error(code: SinkErrorCode, message: string): SinkError {
    return new SinkError(code, message);
  }
}
