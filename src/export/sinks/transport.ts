/**
 * The contract between flowtap's delivery layer and one destination
 * (fluentd forward, Elasticsearch/OpenSearch _bulk, ClickHouse HTTP, IPFIX /
 * NetFlow v9, files). A Transport only knows how to put one batch of flow
 * records into its destination and say whether that worked; queueing, the
 * on-disk spool, retries with backoff, counters and user messages belong to
 * the delivery layer (delivery.ts), so every destination behaves the same
 * when its collector is slow, down or refusing.
 *
 * Records are the objects of docs/schema.md (FlowRecord, as `--format jsonl`
 * prints them); a Transport must not modify them.
 */
import type { FlowRecord } from '../../flow/record';

/** Stable codes for what went wrong with a destination (used in messages, tests and metrics). */
export type SinkErrorCode =
  /** Name resolution failed, connection refused/reset/timed out, socket closed. */
  | 'E_SINK_CONNECT'
  /** TLS handshake or certificate verification failed. */
  | 'E_SINK_TLS'
  /** Credentials refused (HTTP 401/403, fluentd shared-key or user/password). */
  | 'E_SINK_AUTH'
  /** The peer answered something the protocol does not allow. */
  | 'E_SINK_PROTOCOL'
  /** The peer said "later" (HTTP 429/503, fluentd buffer full). */
  | 'E_SINK_BUSY'
  /** No answer or acknowledgement in time. */
  | 'E_SINK_TIMEOUT'
  /** The peer refused the records themselves (HTTP 400 on the whole batch). */
  | 'E_SINK_REJECTED'
  /** The destination's own configuration is unusable (bad URL, missing file). */
  | 'E_SINK_CONFIG';

export class SinkError extends Error {
  readonly code: SinkErrorCode;
  /**
   * False when repeating the same batch cannot succeed until someone changes
   * something (auth, TLS, config, rejected records). The delivery layer still
   * keeps the records (memory, then disk) and retries at its slowest pace, but
   * tells the user at once.
   */
  readonly retryable: boolean;
  constructor(code: SinkErrorCode, message: string, retryable = code !== 'E_SINK_AUTH' && code !== 'E_SINK_TLS' && code !== 'E_SINK_CONFIG' && code !== 'E_SINK_REJECTED') {
    super(message);
    this.name = 'SinkError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** What a send achieved beyond "all delivered". */
export interface SendResult {
  /**
   * Records the destination permanently refused one by one (e.g. an
   * Elasticsearch mapping error on a single document) after the transport's
   * own per-item retries. They are counted and logged, not retried.
   */
  rejected: number;
  /** The first refusal, for the log. */
  reason?: string;
}

/** Where a transport reports things the user should know (the delivery layer prefixes the sink name). */
export interface SinkLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface Transport {
  /** Human name with the destination, e.g. "fluentd tcp://10.0.0.5:24224" (never containing secrets). */
  readonly name: string;
  /** Most records per send() call. */
  readonly maxBatch: number;
  /** How long the delivery layer may wait to fill a batch before sending a partial one (ms). */
  readonly lingerMs: number;
  /**
   * Delivers the batch. Resolves only when the destination has accepted every
   * record (fluentd: chunk acknowledged when acks are on; HTTP: 2xx with no
   * retryable item errors; UDP exporters: datagrams handed to the kernel).
   * Rejects with a SinkError; the delivery layer then retries the same batch
   * (same objects, same order), so a transport may reuse a chunk id for it.
   * Connecting (and reconnecting) is the transport's business, done lazily
   * inside send(); it must never hang: every wait has a timeout.
   */
  send(batch: readonly FlowRecord[]): Promise<SendResult | void>;
  /** Ends connections; pending sends reject. Idempotent. */
  close(): Promise<void>;
}
