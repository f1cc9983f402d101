/**
 * A scriptable in-memory Transport for the delivery-layer tests: it can be up,
 * down (refusing like a stopped collector), slow, never acknowledging,
 * failing the next N sends, failing with a given SinkError (auth, TLS, ...),
 * or refusing some records of each batch. It keeps every send() call's array
 * (by identity, to check that retries repeat the same batch) and the records
 * it accepted, in order, and notes how many sends overlapped.
 */
import type { FlowRecord } from '../../../src/flow/record';
import { SinkError, type SendResult, type Transport } from '../../../src/export/sinks/transport';

export interface FakeOptions {
  name?: string;
  maxBatch?: number;
  lingerMs?: number;
}

export class FakeTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;

  /** Refuse every send (as a stopped collector does) with `error`. */
  down = false;
  /** The error of a refused send. */
  error: SinkError = new SinkError('E_SINK_CONNECT', 'connect ECONNREFUSED 127.0.0.1:24224');
  /** The next N sends fail with `error` (then it behaves as configured again). */
  failNext = 0;
  /** Sends never settle (until close(), which rejects them). */
  neverAck = false;
  /** Only the next N sends never settle. */
  hangNext = 0;
  /** Wait this long before answering. */
  delayMs = 0;
  /** Records refused one by one per batch (the last ones of the batch), reported in SendResult. */
  rejectPerBatch = 0;

  /** The array of every send() call, in call order. */
  readonly sends: (readonly FlowRecord[])[] = [];
  /** Records the destination accepted, in arrival order. */
  readonly accepted: FlowRecord[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closeCalls = 0;
  closed = false;
  private readonly hanging = new Set<(err: SinkError) => void>();

  constructor(opts: FakeOptions = {}) {
    this.name = opts.name ?? 'fake test://127.0.0.1:24224';
    this.maxBatch = opts.maxBatch ?? 100;
    this.lingerMs = opts.lingerMs ?? 5;
  }

  send(batch: readonly FlowRecord[]): Promise<SendResult | void> {
    this.sends.push(batch);
    if (this.closed) return Promise.reject(new SinkError('E_SINK_CONNECT', `${this.name}: transport is closed`));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = <T>(p: Promise<T>): Promise<T> =>
      p.finally(() => {
        this.inFlight--;
      });
    if (this.neverAck || this.hangNext > 0) {
      if (this.hangNext > 0) this.hangNext--;
      return done(new Promise<void>((_, reject) => this.hanging.add(reject)));
    }
    return done(
      (async (): Promise<SendResult | void> => {
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.closed) throw new SinkError('E_SINK_CONNECT', `${this.name}: transport is closed`);
        if (this.failNext > 0) {
          this.failNext--;
          throw this.error;
        }
        if (this.down) throw this.error;
        const keep = Math.max(0, batch.length - this.rejectPerBatch);
        for (let i = 0; i < keep; i++) this.accepted.push(batch[i]);
        if (this.rejectPerBatch > 0) return { rejected: batch.length - keep, reason: 'mapper_parsing_exception: failed to parse field [src_port]' };
        return undefined;
      })(),
    );
  }

  close(): Promise<void> {
    this.closeCalls++;
    this.closed = true;
    const err = new SinkError('E_SINK_CONNECT', `${this.name}: transport closed while sending`);
    for (const reject of this.hanging) reject(err);
    this.hanging.clear();
    return Promise.resolve();
  }
}
