/**
 * The fluentd destination: a Transport speaking the Fluentd Forward Protocol
 * Specification v1 to in_forward (or anything compatible: Fluent Bit,
 * fluent-logger servers). What ndff did with -s/-p/-t/-m, plus acks, the
 * four carrier modes, EventTime, TLS and shared-key/user authentication.
 *
 * One send() = one batch: encode (encode.ts), make sure a connection is up
 * (connect lazily; reuse the kept-alive one unless the server closed it),
 * write, and with acks on wait for {ack: chunk} of every chunk (one chunk per
 * batch, or one per record in Message mode). Chunk ids are 16 random bytes in
 * base64 and are remembered per batch array (WeakMap), so the delivery
 * layer's retry of the same batch carries the same ids. Without acks a send
 * resolves once the bytes are handed to the kernel (best effort, as ndff).
 *
 * A kept-alive connection that turns out dead while sending (the server went
 * away between batches and we had not noticed yet) is replaced once, inside
 * the same send, when no ack of the batch had arrived on it; every other
 * failure rejects with its SinkError and the next send connects again.
 * Sends run one after another (a later send waits for the earlier one).
 *
 * Event time of a record = its last_switched_ms (capture/packet clock; ndff
 * used the flow's first packet, in seconds).
 * -m json sends JSON the way in_forward reads it (and ndff wrote it): by
 * default each batch as one Forward-mode array
 * ["tag",[[sec,{record}],...],{"size":n,"chunk":id}], one ack per batch; with
 * mode 'message', ndff's exact ["tag",sec,{record}] per record (plus
 * {"chunk":id} when acks are on). See encode.ts.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FlowRecord } from '../../flow/record';
import { SinkError, type SendResult, type SinkLog, type Transport } from '../sinks/transport';
import { ForwardConnection, hostPort, type Endpoint } from './connection';
import { chunksNeeded, encodeBatch } from './encode';
import type { Credentials } from './handshake';
import { resolveForwardOptions, type ForwardOptions, type ResolvedForwardOptions } from './options';

export type { ForwardOptions } from './options';

/** ForwardOptions where everything but host may be left to its default. */
export type ForwardInit = Partial<ForwardOptions> & { host: string };

export class ForwardTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;
  /** The options in force (defaults filled in). Contains secrets: never print it. */
  private readonly o: ResolvedForwardOptions;
  private readonly endpoint: Endpoint;
  private readonly creds: Credentials | null;
  private conn: ForwardConnection | null = null;
  /** The connection being opened, so close() can abort it. */
  private opening: ForwardConnection | null = null;
  private readonly chunkIds = new WeakMap<readonly FlowRecord[], string[]>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private warnedNoKeepalive = false;

  /** Throws UsageError (E_CONFIG) for option combinations that cannot work. */
  constructor(options: ForwardInit, private readonly log?: SinkLog) {
    this.o = resolveForwardOptions(options, hostname());
    const o = this.o;
    this.name = `fluentd ${o.tls !== undefined ? 'tls' : 'tcp'}://${hostPort(o.host, o.port)}${o.encoding === 'json' ? ' (json)' : ''}`;
    this.maxBatch = o.maxBatch;
    this.lingerMs = o.lingerMs;
    this.endpoint = { host: o.host, port: o.port, tls: o.tls, connectTimeoutMs: o.connectTimeoutMs };
    this.creds =
      o.sharedKey === undefined ? null : { selfHostname: o.selfHostname, sharedKey: o.sharedKey, username: o.username, password: o.password };
  }

  send(batch: readonly FlowRecord[]): Promise<SendResult | void> {
    const run = this.tail.then(() => this.sendNow(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opening?.fail(new SinkError('E_SINK_CONNECT', `the connection to ${hostPort(this.o.host, this.o.port)} was closed by flowtap while opening`));
    this.conn?.close();
    this.conn = null;
    await this.tail;
  }

  private async sendNow(batch: readonly FlowRecord[]): Promise<void> {
    if (this.closed) throw new SinkError('E_SINK_CONNECT', `the transport to ${hostPort(this.o.host, this.o.port)} is closed`);
    if (batch.length === 0) return;
    const chunks = this.o.ack ? this.chunksFor(batch) : null;
    let bytes: Buffer;
    try {
      bytes = await encodeBatch(batch, this.o, chunks);
    } catch (e) {
      throw new SinkError('E_SINK_REJECTED', `a record for ${hostPort(this.o.host, this.o.port)} cannot be encoded: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reused = this.conn !== null && this.conn.alive;
    let conn = reused ? this.conn! : await this.connect();
    try {
      await conn.deliver(bytes, chunks, this.o.ackTimeoutMs);
    } catch (e) {
      this.conn = null;
      const stale = reused && e instanceof SinkError && e.code === 'E_SINK_CONNECT' && conn.acksInDelivery === 0 && !this.closed;
      if (!stale) throw e;
      conn = await this.connect();
      try {
        await conn.deliver(bytes, chunks, this.o.ackTimeoutMs);
      } catch (e2) {
        this.conn = null;
        throw e2;
      }
    }
    if (!this.o.keepalive || !conn.serverKeepalive) {
      if (!conn.serverKeepalive && this.o.keepalive && !this.warnedNoKeepalive) {
        this.warnedNoKeepalive = true;
        this.log?.info('the server does not keep connections alive (HELO keepalive false): connecting for each batch');
      }
      conn.close();
      this.conn = null;
    }
  }

  private async connect(): Promise<ForwardConnection> {
    let conn: ForwardConnection;
    try {
      conn = await ForwardConnection.open(this.endpoint, this.creds, (c) => (this.opening = c));
    } finally {
      this.opening = null;
    }
    if (this.closed) {
      conn.close();
      throw new SinkError('E_SINK_CONNECT', `the transport to ${hostPort(this.o.host, this.o.port)} is closed`);
    }
    this.conn = conn;
    return conn;
  }

  /** The batch's chunk ids: the ones of its earlier attempt, else new ones. */
  private chunksFor(batch: readonly FlowRecord[]): string[] {
    const n = chunksNeeded(this.o.mode, batch.length);
    const known = this.chunkIds.get(batch);
    if (known !== undefined && known.length === n) return known;
    const ids = Array.from({ length: n }, () => randomBytes(16).toString('base64'));
    this.chunkIds.set(batch, ids);
    return ids;
  }
}
