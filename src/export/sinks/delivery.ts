/**
 * The delivery layer: wraps one Transport (transport.ts) so that every flow
 * record reaches its destination across collector outages and restarts,
 * without ever making the caller wait.
 *
 * Records queue in memory (up to memoryRecords) and go out in batches of up to
 * transport.maxBatch, a partial batch after transport.lingerMs, one send at a
 * time so order is kept. A failed batch is retried as the same array with
 * exponential backoff and jitter (backoff.ts); errors that cannot fix
 * themselves (SinkError.retryable false) are retried at the slowest pace and
 * told to the user at once. A send that never settles is given up after
 * sendTimeoutMs and treated as E_SINK_TIMEOUT.
 *
 * When memory is full, the oldest records move to the on-disk spool
 * (spool.ts), which is always older than memory: the queue is
 *   [batch in flight] [spool, oldest first] [memory]
 * and the spool is read back, one batch at a time, before memory. Records are
 * dropped (counted, told at most every 30 s) only when the spool is full.
 * drain() sends what is queued at once (a partial batch does not wait for
 * its linger time), waits up to its timeout, then writes what is still
 * undelivered to the spool, so the next run (start()) sends it first; a
 * second drain() with a shorter timeout, or abort(), cuts a running drain
 * short. Delivery is at least once: after a crash, or a
 * send that timed out but did arrive, a batch can arrive twice; never zero times
 * unless the spool was full or unwritable, which is counted as dropped.
 *
 * Messages go through opts.log, prefixed with the transport's name. The
 * outcome of the drain is told too unless opts.drainSummary is false (the
 * CLI prints its own line per sink).
 */
import type { FlowRecord } from '../../flow/record';
import { SinkError, type SendResult, type SinkErrorCode, type SinkLog, type Transport } from './transport';
import { Spool, type SpoolToken } from './spool';
import { backoffDelay } from './backoff';

export interface DeliveryOptions {
  /** Directory for this sink's spool segments (created if absent), e.g. <spool-dir>/<sink-id>. */
  spoolDir: string;
  /** Most bytes the spool may hold (default 1 GiB); beyond it new records are dropped, counted and logged. */
  maxSpoolBytes: number;
  /** Records held in memory before further records go to the spool (default 50_000). */
  memoryRecords: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  log: SinkLog;
  now?: () => number;
  /** A send that has not settled after this long counts as failed with E_SINK_TIMEOUT (default 120 s). */
  sendTimeoutMs?: number;
  /** Size at which a spool segment is closed and the next begun (default 8 MiB). */
  segmentBytes?: number;
  /** Tell the outcome of drain() through log (default true); false when the caller prints its own summary. */
  drainSummary?: boolean;
}

export const DEFAULT_MAX_SPOOL_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MEMORY_RECORDS = 50_000;
export const DEFAULT_RETRY_MIN_MS = 500;
export const DEFAULT_RETRY_MAX_MS = 30_000;
export const DEFAULT_SEND_TIMEOUT_MS = 120_000;
/** Least time between two "still down" or "dropping" messages. */
const NOTICE_EVERY_MS = 30_000;
/** How long drain() waits for transport.close(). */
const CLOSE_TIMEOUT_MS = 10_000;

export interface SinkStats {
  name: string;
  /** up: last send worked (or none yet); retrying: failing with retryable errors; failing: with errors that need a fix. */
  state: 'up' | 'retrying' | 'failing';
  /** Records taken in: pushed, plus those found in the spool at start(). */
  received: number;
  delivered: number;
  /** Refused one by one by the destination (SendResult.rejected). */
  rejected: number;
  /** Lost: spool full or unwritable, pushed after drain, or unreadable spool lines. */
  dropped: number;
  /** Records written to the spool. */
  spilled: number;
  /** Not yet delivered: in flight, in memory and in the spool. received = delivered + rejected + dropped + pending. */
  pending: number;
  spooled_bytes: number;
  /** Sends repeated after a failure. */
  retries: number;
  /** Failed sends. */
  errors: number;
  /** Age of the oldest undelivered record (ms since it was pushed). */
  lag_ms: number;
  last_error?: string;
  last_error_code?: string;
}

export interface DrainResult {
  /** Records delivered by this Delivery in all. */
  delivered: number;
  /** Records left in the spool for the next run. */
  spooled: number;
  /** Records lost in all (see SinkStats.dropped). */
  dropped: number;
  timedOut: boolean;
}

/** A fixed-capacity FIFO of records with their arrival times. */
class RecordQueue {
  private readonly recs: (FlowRecord | undefined)[];
  private readonly times: Float64Array;
  private head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.recs = new Array<FlowRecord | undefined>(capacity);
    this.times = new Float64Array(Math.max(1, capacity));
  }

  push(r: FlowRecord, t: number): void {
    const i = (this.head + this.length) % this.capacity;
    this.recs[i] = r;
    this.times[i] = t;
    this.length++;
  }

  peek(): FlowRecord {
    return this.recs[this.head] as FlowRecord;
  }

  peekTime(): number {
    return this.times[this.head];
  }

  shift(): void {
    this.recs[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.length--;
  }

  take(n: number): FlowRecord[] {
    const out = new Array<FlowRecord>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.peek();
      this.shift();
    }
    return out;
  }
}

interface Batch {
  readonly records: FlowRecord[];
  /** Arrival of its first record. */
  readonly arrival: number;
  /** Where it sits in the spool (null: only in memory). */
  token: SpoolToken | null;
}

interface Outage {
  since: number;
  deliveredBefore: number;
  lastNotice: number;
  told: Set<string>;
  /** Its start was told (a destination that flaps is told at most every 30 s, and so is its recovery). */
  announced: boolean;
}

interface Recovery {
  downMs: number;
  deliveredBefore: number;
  announced: boolean;
  /** The backlog is through once this many records have left the queue. */
  target: number;
}

export class Delivery {
  private readonly t: Transport;
  private readonly log: SinkLog;
  private readonly now: () => number;
  private readonly spool: Spool;
  private readonly mem: RecordQueue;
  private readonly dir: string;
  private readonly maxSpoolBytes: number;
  private readonly retryMin: number;
  private readonly retryMax: number;
  private readonly sendTimeout: number;
  private readonly maxBatch: number;

  private startPromise: Promise<void> | null = null;
  private started = false;
  private draining = false;
  private closed = false;
  private drainPromise: Promise<DrainResult> | null = null;
  /** The running drain's deadline (Date.now() clock) and how to end its wait early. */
  private drainEndsAt = Infinity;
  private drainTimer: NodeJS.Timeout | null = null;
  private drainWake: (() => void) | null = null;
  /** The running drain was cut short by a later drain() or abort(). */
  private drainCut = false;
  private readonly drainSummary: boolean;

  private cur: Batch | null = null;
  private attempt = 0;
  private failures = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingerDue = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];

  private outage: Outage | null = null;
  private outageToldAt = -Infinity;
  private recovery: Recovery | null = null;
  private dropNoticeAt = -Infinity;
  private dropsUntold = 0;
  private rejectNoticeAt = -Infinity;
  private rejectsUntold = 0;
  private writeNoticeAt = -Infinity;
  private lateWarned = false;

  private received = 0;
  private delivered = 0;
  private rejected = 0;
  private dropped = 0;
  private spilled = 0;
  private retries = 0;
  private errors = 0;
  /** Records that entered the queue / left it (delivered, rejected or lost from the spool). */
  private enqueued = 0;
  private dequeued = 0;
  private lastError: SinkError | null = null;
  private state: SinkStats['state'] = 'up';

  constructor(transport: Transport, opts: DeliveryOptions) {
    this.t = transport;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.dir = opts.spoolDir;
    this.maxSpoolBytes = opts.maxSpoolBytes > 0 ? opts.maxSpoolBytes : DEFAULT_MAX_SPOOL_BYTES;
    this.retryMin = Math.max(0, opts.retryMinMs ?? DEFAULT_RETRY_MIN_MS);
    this.retryMax = Math.max(this.retryMin, opts.retryMaxMs ?? DEFAULT_RETRY_MAX_MS);
    this.sendTimeout = opts.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.drainSummary = opts.drainSummary ?? true;
    this.maxBatch = Math.max(1, Math.floor(transport.maxBatch));
    const memory = Number.isFinite(opts.memoryRecords) && opts.memoryRecords >= 0 ? Math.floor(opts.memoryRecords) : DEFAULT_MEMORY_RECORDS;
    this.mem = new RecordQueue(memory);
    this.spool = new Spool(opts.spoolDir, {
      maxBytes: this.maxSpoolBytes,
      segmentBytes: opts.segmentBytes,
      now: this.now,
      warn: (m) => this.log.warn(`${this.t.name}: ${m}`),
      onWriteError: (lines, err) => this.spoolWriteFailed(lines, err),
    });
  }

  /** Picks up records left in the spool by an earlier run (they are delivered first, oldest first). */
  start(): Promise<void> {
    if (this.startPromise === null) this.startPromise = this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    try {
      this.spool.open();
      const n = await this.spool.countLeftovers();
      if (n > 0) {
        this.received += n;
        this.enqueued += n;
        this.log.info(`${this.t.name}: ${n} record${n === 1 ? '' : 's'} left in ${this.dir} by an earlier run; sending ${n === 1 ? 'it' : 'them'} first`);
      }
    } finally {
      this.started = true;
      if (!this.closed) this.pump();
    }
  }

  /** Never blocks, never throws: queues in memory, or spills to disk when memory is full, or drops (counted) when the spool is full. */
  push(rec: FlowRecord): void {
    try {
      this.received++;
      if (this.closed) {
        this.dropped++;
        if (!this.lateWarned) this.log.warn(`${this.t.name}: a record arrived after the sink was drained and was dropped`);
        this.lateWarned = true;
        return;
      }
      const t = this.now();
      if (this.mem.length < this.mem.capacity) {
        this.mem.push(rec, t);
        this.enqueued++;
      } else {
        this.overflow(rec, t);
      }
      if (this.started && this.cur === null && (this.lingerTimer === null || this.mem.length >= this.maxBatch)) this.pump();
    } catch (err) {
      this.dropped++;
      this.log.warn(`${this.t.name}: a record was dropped: ${(err as Error).message}`);
    }
  }

  /** Memory is full: the oldest record moves to the spool to make room (or rec itself goes there when memory holds none). */
  private overflow(rec: FlowRecord, t: number): void {
    if (!this.spoolInFlight()) {
      this.drop();
      return;
    }
    const fromMemory = this.mem.length > 0;
    const spilled = fromMemory ? this.mem.peek() : rec;
    let text: string;
    try {
      text = JSON.stringify(spilled) + '\n';
    } catch (err) {
      // Not JSON (a bug upstream): it cannot be kept on disk, so it is the one dropped.
      this.dropped++;
      this.log.warn(`${this.t.name}: a record that cannot be written as JSON was dropped (${(err as Error).message})`);
      if (fromMemory) {
        this.mem.shift();
        this.dequeued++;
        this.mem.push(rec, t);
        this.enqueued++;
      }
      return;
    }
    const st = this.spool.append(text, fromMemory ? this.mem.peekTime() : t);
    if (st !== 'ok') {
      this.drop(st);
      return;
    }
    this.spilled++;
    this.enqueued++;
    if (fromMemory) {
      this.mem.shift();
      this.mem.push(rec, t);
    }
  }

  /**
   * A batch in flight from memory is older than anything the spool will get:
   * it goes to disk first, so order holds if it is left for the next run.
   */
  private spoolInFlight(): boolean {
    const b = this.cur;
    if (b === null || b.token !== null) return true;
    const token = this.spool.appendInFlight(b.records, b.arrival);
    if (token === null) return false;
    b.token = token;
    this.spilled += b.records.length;
    return true;
  }

  private drop(reason: 'full' | 'error' = 'full'): void {
    this.dropped++;
    this.dropsUntold++;
    const now = this.now();
    if (now - this.dropNoticeAt < NOTICE_EVERY_MS) return;
    const first = this.dropNoticeAt === -Infinity;
    this.dropNoticeAt = now;
    if (reason === 'error' && first) {
      this.log.warn(`${this.t.name}: memory is full and the spool ${this.dir} cannot be written; dropping new records until the destination takes them`);
    } else if (first) {
      this.log.warn(`${this.t.name}: spool ${this.dir} is full (${formatBytes(this.maxSpoolBytes)}) and memory too; dropping new records until the destination takes them (a larger spool limit keeps more)`);
    } else {
      this.log.warn(`${this.t.name}: ${this.dropsUntold} more record${this.dropsUntold === 1 ? '' : 's'} dropped (spool ${this.dir} full or unwritable; ${this.dropped} in all)`);
    }
    this.dropsUntold = 0;
  }

  private spoolWriteFailed(lines: number, err: Error): void {
    if (lines > 0) {
      this.dropped += lines;
      this.dequeued += lines;
    }
    const now = this.now();
    if (now - this.writeNoticeAt < NOTICE_EVERY_MS) return;
    this.writeNoticeAt = now;
    const lost = lines > 0 ? `; ${lines} record${lines === 1 ? '' : 's'} lost` : '';
    this.log.warn(`${this.t.name}: cannot write spool ${this.dir} (${err.message})${lost}; free space there or choose another spool directory`);
  }

  stats(): SinkStats {
    const e = this.lastError;
    const s: SinkStats = {
      name: this.t.name,
      state: this.state,
      received: this.received,
      delivered: this.delivered,
      rejected: this.rejected,
      dropped: this.dropped,
      spilled: this.spilled,
      pending: this.pending(),
      spooled_bytes: this.spool.bytes,
      retries: this.retries,
      errors: this.errors,
      lag_ms: this.lag(),
    };
    if (e !== null) {
      s.last_error = e.message;
      s.last_error_code = e.code;
    }
    return s;
  }

  private pending(): number {
    return (this.cur?.records.length ?? 0) + this.mem.length + this.spool.unread;
  }

  private lag(): number {
    let oldest: number | null = null;
    if (this.cur !== null) oldest = this.cur.arrival;
    else if (this.spool.unread > 0) oldest = this.spool.unreadArrival();
    if (oldest === null && this.mem.length > 0) oldest = this.mem.peekTime();
    return oldest === null ? 0 : Math.max(0, this.now() - oldest);
  }

  /** Starts the next send if none is under way: spool first, then memory (a partial batch once it lingered). */
  private pump(): void {
    if (!this.started || this.closed || this.cur !== null || this.retryTimer !== null) return;
    while (this.spool.hasUnread()) {
      let r;
      try {
        r = this.spool.read(this.maxBatch);
      } catch (err) {
        this.spoolReadFailed(err as Error);
        return;
      }
      if (r === null) break;
      if (r.skipped > 0) {
        this.dropped += r.skipped;
        this.dequeued += r.skipped;
      }
      if (r.records.length === 0) {
        this.spool.ack(r.token);
        continue;
      }
      this.cur = { records: r.records, arrival: r.arrival, token: r.token };
      this.send();
      return;
    }
    if (this.spool.unread > 0) {
      // Counted lines that are no longer there (a spool file shrank under us): lost.
      this.dropped += this.spool.unread;
      this.dequeued += this.spool.unread;
      this.spool.unread = 0;
    }
    const n = this.mem.length;
    if (n === 0) {
      this.lingerDue = false;
      this.checkIdle();
      return;
    }
    if (n >= this.maxBatch || this.lingerDue || this.draining) {
      this.lingerDue = false;
      if (this.lingerTimer !== null) {
        clearTimeout(this.lingerTimer);
        this.lingerTimer = null;
      }
      const arrival = this.mem.peekTime();
      this.cur = { records: this.mem.take(Math.min(n, this.maxBatch)), arrival, token: null };
      this.send();
      return;
    }
    if (this.lingerTimer === null) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        this.lingerDue = true;
        this.pump();
      }, Math.max(0, this.t.lingerMs));
      this.lingerTimer.unref();
    }
  }

  private spoolReadFailed(err: Error): void {
    this.log.warn(`${this.t.name}: cannot read spool ${this.dir} (${err.message}); trying again in ${formatDuration(this.retryMax)}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryMax);
    this.retryTimer.unref();
  }

  private send(): void {
    const b = this.cur as Batch;
    const id = ++this.attempt;
    let p: Promise<SendResult | void>;
    try {
      p = Promise.resolve(this.t.send(b.records));
    } catch (err) {
      p = Promise.reject(err);
    }
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      this.settle(id, b, null, new SinkError('E_SINK_TIMEOUT', `no answer to a send within ${formatDuration(this.sendTimeout)}`));
    }, this.sendTimeout);
    this.watchdog.unref();
    p.then(
      (res) => this.settle(id, b, res ?? null, null),
      (err: unknown) => this.settle(id, b, null, err),
    );
  }

  private settle(id: number, b: Batch, res: SendResult | null, err: unknown): void {
    if (id !== this.attempt || this.closed || this.cur !== b) return;
    if (this.watchdog !== null) {
      clearTimeout(this.watchdog);
      this.watchdog = null;
    }
    if (err === null) this.succeeded(b, res);
    else this.failed(toSinkError(err));
  }

  private succeeded(b: Batch, res: SendResult | null): void {
    const n = b.records.length;
    const rej = Math.min(n, Math.max(0, Math.floor(res?.rejected ?? 0)));
    this.delivered += n - rej;
    this.rejected += rej;
    this.dequeued += n;
    if (rej > 0) this.noteRejected(rej, res?.reason);
    if (b.token !== null) this.spool.ack(b.token);
    this.cur = null;
    this.failures = 0;
    this.state = 'up';
    if (this.outage !== null) {
      const o = this.outage;
      this.outage = null;
      this.recovery = { downMs: this.now() - o.since, deliveredBefore: o.deliveredBefore, target: this.enqueued, announced: o.announced };
    }
    this.checkRecovered();
    this.pump();
  }

  private checkRecovered(): void {
    const r = this.recovery;
    if (r === null || this.dequeued < r.target) return;
    this.recovery = null;
    if (!r.announced) return;
    const n = this.delivered - r.deliveredBefore;
    this.log.info(`${this.t.name}: back after ${formatDuration(r.downMs)}; ${n} buffered record${n === 1 ? '' : 's'} delivered`);
  }

  private noteRejected(n: number, reason: string | undefined): void {
    this.rejectsUntold += n;
    const now = this.now();
    if (now - this.rejectNoticeAt < NOTICE_EVERY_MS) return;
    this.rejectNoticeAt = now;
    const why = reason !== undefined && reason !== '' ? ` (${reason})` : '';
    this.log.warn(`${this.t.name}: the destination refused ${this.rejectsUntold} record${this.rejectsUntold === 1 ? '' : 's'}${why}; they are counted as rejected and not sent again`);
    this.rejectsUntold = 0;
  }

  private failed(e: SinkError): void {
    this.errors++;
    this.failures++;
    this.lastError = e;
    this.state = e.retryable ? 'retrying' : 'failing';
    const now = this.now();
    if (this.outage === null) {
      this.recovery = null;
      const announced = !e.retryable || now - this.outageToldAt >= NOTICE_EVERY_MS;
      this.outage = { since: now, deliveredBefore: this.delivered, lastNotice: now, told: new Set(announced ? [e.code] : []), announced };
      if (announced) {
        this.outageToldAt = now;
        this.log.warn(`${this.t.name}: ${e.retryable ? describe(e) + '; buffering records and retrying' : this.notRetryable(e)}`);
      }
    } else if (!e.retryable && !this.outage.told.has(e.code)) {
      this.outage.told.add(e.code);
      this.outage.lastNotice = now;
      this.outage.announced = true;
      this.log.warn(`${this.t.name}: ${this.notRetryable(e)}`);
    } else if (now - this.outage.lastNotice >= NOTICE_EVERY_MS) {
      this.outage.lastNotice = now;
      this.outage.announced = true;
      this.log.warn(`${this.t.name}: still failing after ${formatDuration(now - this.outage.since)} (${e.message} [${e.code}]); ${this.waiting()}`);
    }
    const delay = e.retryable ? backoffDelay(this.failures, this.retryMin, this.retryMax) : this.retryMax;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closed || this.cur === null) return;
      this.retries++;
      this.send();
    }, delay);
    this.retryTimer.unref();
  }

  private notRetryable(e: SinkError): string {
    return `${e.message} [${e.code}]; this will not clear by itself, check the sink's settings; records are kept and the send is retried every ${formatDuration(this.retryMax)}`;
  }

  private waiting(): string {
    const mem = (this.cur !== null && this.cur.token === null ? this.cur.records.length : 0) + this.mem.length;
    const disk = this.pending() - mem;
    return `${this.pending()} records waiting (${mem} in memory, ${disk} in ${this.dir}, ${formatBytes(this.spool.bytes)})`;
  }

  private checkIdle(): void {
    if (this.cur !== null || this.pending() > 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /**
   * No more pushes. Sends what is queued at once, waits until everything is
   * delivered or until timeoutMs; then writes whatever is still undelivered
   * to the spool, closes the transport, and (unless drainSummary is false)
   * says what happened. Called again while a drain runs, it shortens the
   * wait to the new timeout when that ends sooner, and returns the same
   * result.
   */
  drain(timeoutMs: number): Promise<DrainResult> {
    const ms = Math.max(0, Number.isFinite(timeoutMs) ? timeoutMs : 0);
    if (this.drainPromise === null) {
      this.drainPromise = this.doDrain(ms);
    } else if (Date.now() + ms < this.drainEndsAt) {
      this.drainCut = true;
      this.setDrainDeadline(ms);
    }
    return this.drainPromise;
  }

  /** Stops waiting: what is undelivered goes to the spool now (drain(0); e.g. a second SIGTERM). */
  abort(): Promise<DrainResult> {
    return this.drain(0);
  }

  private setDrainDeadline(ms: number): void {
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.drainEndsAt = Date.now() + ms;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      this.drainWake?.();
    }, ms);
  }

  private async doDrain(timeoutMs: number): Promise<DrainResult> {
    this.draining = true;
    const deadline = new Promise<void>((resolve) => {
      this.drainWake = resolve;
    });
    this.setDrainDeadline(timeoutMs);
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // A partial batch waiting for its linger time goes now.
    this.pump();
    const startedHere = this.startPromise === null;
    try {
      await Promise.race([this.start(), deadline]);
    } catch (err) {
      if (startedHere) this.log.warn(`${this.t.name}: ${(err as Error).message}`);
    }
    this.pump();
    this.checkIdle();
    await Promise.race([idle, deadline]);
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.drainWake = null;
    this.drainEndsAt = -Infinity;
    this.closed = true;
    for (const t of [this.lingerTimer, this.retryTimer, this.watchdog]) if (t !== null) clearTimeout(t);
    this.lingerTimer = this.retryTimer = this.watchdog = null;

    const timedOut = this.pending() > 0;
    if (timedOut) this.keepForNextRun();
    try {
      this.spool.close();
    } catch (err) {
      this.log.warn(`${this.t.name}: closing spool ${this.dir} failed (${(err as Error).message})`);
    }
    await this.closeTransport();

    const spooled = this.pending();
    const result: DrainResult = { delivered: this.delivered, spooled, dropped: this.dropped, timedOut };
    if (this.drainSummary) this.tellDrain(spooled, timeoutMs);
    return result;
  }

  private tellDrain(spooled: number, timeoutMs: number): void {
    const refused = this.rejected > 0 ? `${this.rejected} refused by the destination` : '';
    const lost = this.dropped > 0 ? `${this.dropped} dropped (spool full or not writable, or unreadable spool lines)` : '';
    const extra = [refused, lost].filter((x) => x !== '').join(', ');
    const records = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;
    if (spooled === 0 && this.dropped === 0) {
      this.log.info(`${this.t.name}: all ${records(this.delivered)} delivered${refused !== '' ? ` (${refused})` : ''}`);
    } else if (spooled === 0) {
      this.log.warn(`${this.t.name}: ${records(this.delivered)} delivered, ${extra}`);
    } else {
      const when = this.drainCut ? 'before the drain was stopped' : timeoutMs > 0 ? `before the ${formatDuration(timeoutMs)} drain timeout` : 'at the end (no drain time)';
      this.log.warn(
        `${this.t.name}: ${records(spooled)} could not be delivered ${when}; kept in ${this.dir}, they are sent on the next run${extra !== '' ? ` (${extra})` : ''}`,
      );
    }
  }

  /** Writes the batch in flight (if only in memory) and memory to the spool, in order; what does not fit is dropped. */
  private keepForNextRun(): void {
    const b = this.cur;
    if (b !== null && b.token === null) {
      if (!this.spoolInFlight()) {
        this.cur = null;
        for (const r of b.records) this.spillOrDrop(r, b.arrival);
      }
    }
    while (this.mem.length > 0) {
      const r = this.mem.peek();
      const t = this.mem.peekTime();
      this.mem.shift();
      this.spillOrDrop(r, t);
    }
  }

  private spillOrDrop(r: FlowRecord, t: number): void {
    let st: 'ok' | 'full' | 'error';
    try {
      st = this.spool.append(JSON.stringify(r) + '\n', t);
    } catch {
      st = 'error';
    }
    if (st === 'ok') this.spilled++;
    else {
      this.dropped++;
      this.dequeued++;
      this.dropsUntold++;
      if (this.dropsUntold === 1) this.log.warn(`${this.t.name}: spool ${this.dir} is ${st === 'full' ? 'full' : 'not writable'}; records that do not fit are dropped`);
    }
  }

  private async closeTransport(): Promise<void> {
    let timer: NodeJS.Timeout | null = null;
    const guard = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn(`${this.t.name}: closing the connection took longer than ${formatDuration(CLOSE_TIMEOUT_MS)}; given up`);
        resolve();
      }, CLOSE_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.resolve().then(() => this.t.close()), guard]);
    } catch (err) {
      this.log.warn(`${this.t.name}: closing failed (${(err as Error).message})`);
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }
}

const SINK_CODES: ReadonlySet<string> = new Set<SinkErrorCode>(['E_SINK_CONNECT', 'E_SINK_TLS', 'E_SINK_AUTH', 'E_SINK_PROTOCOL', 'E_SINK_BUSY', 'E_SINK_TIMEOUT', 'E_SINK_REJECTED', 'E_SINK_CONFIG']);

function toSinkError(err: unknown): SinkError {
  if (err instanceof SinkError) return err;
  const e = err as { code?: unknown; message?: unknown; retryable?: unknown } | null;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string' && SINK_CODES.has(e.code)) {
    const msg = typeof e.message === 'string' ? e.message : String(err);
    return typeof e.retryable === 'boolean' ? new SinkError(e.code as SinkErrorCode, msg, e.retryable) : new SinkError(e.code as SinkErrorCode, msg);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new SinkError('E_SINK_PROTOCOL', `unexpected failure: ${msg}`);
}

/** The first line about a retryable failure. */
function describe(e: SinkError): string {
  switch (e.code) {
    case 'E_SINK_CONNECT':
      return `unreachable (${e.message})`;
    case 'E_SINK_TIMEOUT':
      return `not answering (${e.message})`;
    case 'E_SINK_BUSY':
      return `busy (${e.message})`;
    default:
      return `${e.message} [${e.code}]`;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
