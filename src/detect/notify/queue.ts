/**
 * One notifier's delivery: a bounded queue in front of its transport, so the
 * packet path only ever calls offer() (synchronous, never throws, never
 * waits). A drain loop sends the alerts one by one in order:
 *  - failures the destination may get over (connection, timeout, HTTP
 *    429/5xx, SMTP 4xx) are retried with exponential backoff (1 s, 2 s, 4 s
 *    ... up to 60 s, or the Retry-After the destination asked for), up to
 *    maxAttempts, then the alert is given up; refusals (bad credentials, a
 *    webhook that no longer exists) are given up at once;
 *  - a token bucket limits the alerts per minute; beyond it alerts are
 *    counted, and one summary ("12 more alerts suppressed ...") goes out
 *    as soon as the bucket allows (or when the queue is closed);
 *  - when the queue is full the oldest alert is dropped;
 *  - the log gets one line when delivery starts failing (or fails
 *    differently) and one when it works again, not one per alert.
 */
import type { Alert } from '../alert';
import { SEVERITY_RANK } from '../alert';
import type { Severity } from '../rules-config';
import { TokenBucket } from './token-bucket';
import { AlertTransport, asNotifyError, NotifyLog } from './types';

/** Longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 300_000;

export interface QueueOptions {
  minSeverity: Severity;
  /** Alerts per minute; 0 = no limit. */
  ratePerMinute: number;
  /** Alerts that may go at once before the rate applies (default: ratePerMinute). */
  burst?: number;
  queueSize: number;
  /** Sends of one alert before it is given up (default 6: about a minute of backoff). */
  maxAttempts?: number;
  /** First retry delay (default 1000 ms), doubled each time up to maxBackoffMs (default 60 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Wall clock for the rate limit (tests may pass their own). */
  now?: () => number;
}

export interface QueueStats {
  /** Alerts offered (at or above min_severity), delivered, given up, dropped because the queue was full, rate-limited. */
  offered: number;
  delivered: number;
  failed: number;
  dropped: number;
  suppressed: number;
  /** Summary messages sent for rate-limited alerts (counted in delivered too). */
  summaries: number;
  /** Still queued when the queue was closed. */
  undelivered: number;
  /** The last failure, for the end-of-run line. */
  lastError?: string;
}

export class NotifierQueue {
  readonly transport: AlertTransport;
  private readonly opts: Required<Omit<QueueOptions, 'burst' | 'now'>>;
  private readonly log: NotifyLog;
  private readonly bucket: TokenBucket | null;
  private readonly queue: Alert[] = [];
  private running = false;
  private closing = false;
  private stopped = false;
  private failing = false;
  private lastCode = '';
  private attempts = 0;
  private readonly idle: (() => void)[] = [];
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private summaryTimer: NodeJS.Timeout | null = null;
  private suppressedNow = 0;
  private suppressedRules = new Map<string, number>();
  private suppressedSources = new Set<string>();
  private suppressedSeverity: Severity = 'info';
  private suppressedStart = 0;
  private suppressedEnd = 0;
  private queueFullLogged = false;
  readonly stats: QueueStats = { offered: 0, delivered: 0, failed: 0, dropped: 0, suppressed: 0, summaries: 0, undelivered: 0 };

  constructor(transport: AlertTransport, opts: QueueOptions, log: NotifyLog) {
    this.transport = transport;
    this.log = log;
    this.opts = {
      minSeverity: opts.minSeverity,
      ratePerMinute: opts.ratePerMinute,
      queueSize: opts.queueSize,
      maxAttempts: opts.maxAttempts ?? 6,
      backoffMs: opts.backoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 60_000,
    };
    this.bucket = opts.ratePerMinute > 0 ? new TokenBucket(opts.ratePerMinute, opts.burst ?? opts.ratePerMinute, opts.now ?? Date.now) : null;
  }

  /** Takes an alert for delivery (or counts it as rate-limited). Synchronous; never throws. */
  offer(a: Alert): void {
    if (this.closing || SEVERITY_RANK[a.severity] < SEVERITY_RANK[this.opts.minSeverity]) return;
    this.stats.offered++;
    const b = this.bucket;
    if (b !== null) {
      if (this.suppressedNow > 0 && b.take()) this.push(this.summary());
      if (!b.take()) {
        this.suppress(a);
        return;
      }
    }
    this.push(a);
  }

  /** Alerts waiting (including the one being sent). */
  get pending(): number {
    return this.queue.length;
  }

  private suppress(a: Alert): void {
    if (this.suppressedNow === 0) {
      this.suppressedStart = a.raised_at;
      this.suppressedSeverity = a.severity;
    }
    this.suppressedNow++;
    this.stats.suppressed++;
    this.suppressedEnd = a.raised_at;
    this.suppressedRules.set(a.rule, (this.suppressedRules.get(a.rule) ?? 0) + 1);
    if (this.suppressedSources.size < 50) this.suppressedSources.add(a.src_addr);
    if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[this.suppressedSeverity]) this.suppressedSeverity = a.severity;
    if (this.summaryTimer === null && this.bucket !== null) {
      this.summaryTimer = setTimeout(() => this.summaryDue(), Math.max(1, this.bucket.msUntilToken()));
      this.summaryTimer.unref();
    }
  }

  private summaryDue(): void {
    this.summaryTimer = null;
    if (this.suppressedNow === 0 || this.closing) return;
    if (this.bucket === null || this.bucket.take()) this.push(this.summary());
    else {
      this.summaryTimer = setTimeout(() => this.summaryDue(), Math.max(1, this.bucket.msUntilToken()));
      this.summaryTimer.unref();
    }
  }

  /** The summary of the alerts rate-limited since the last one (and resets the count). */
  private summary(): Alert {
    const n = this.suppressedNow;
    const rules = [...this.suppressedRules].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r} ${c}`).join(', ');
    const srcs = [...this.suppressedSources];
    const shown = srcs.slice(0, 5).join(', ') + (srcs.length > 5 ? ` and ${srcs.length - 5}${srcs.length >= 50 ? '+' : ''} more` : '');
    const a: Alert = {
      rule: 'suppressed',
      severity: this.suppressedSeverity,
      src_addr: srcs.length === 1 ? srcs[0] : '',
      window_start: this.suppressedStart,
      window_end: this.suppressedEnd,
      raised_at: this.suppressedEnd,
      message: `${n} more alert${n === 1 ? '' : 's'} suppressed by the rate limit of ${this.opts.ratePerMinute} per minute (${rules}; from ${shown})`,
      kind: 'summary',
      counts: { suppressed: n },
      applications: [],
      community_ids: [],
    };
    this.suppressedNow = 0;
    this.suppressedRules = new Map();
    this.suppressedSources = new Set();
    this.stats.summaries++;
    return a;
  }

  private push(a: Alert): void {
    if (this.queue.length >= this.opts.queueSize) {
      // The head may be in flight: drop the oldest one behind it.
      this.queue.splice(this.queue.length > 1 ? 1 : 0, 1);
      this.stats.dropped++;
      if (!this.queueFullLogged) {
        this.queueFullLogged = true;
        this.log.warn(`alerts to ${this.transport.name}: more than ${this.opts.queueSize} alerts waiting; the oldest are dropped`);
      }
    }
    this.queue.push(a);
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const a = this.queue[0];
      try {
        await this.transport.send(a);
        if (this.queue[0] === a) this.queue.shift();
        this.stats.delivered++;
        this.attempts = 0;
        if (this.failing) {
          this.failing = false;
          this.lastCode = '';
          this.log.info(`alerts to ${this.transport.name}: delivering again (${this.stats.failed} given up so far)`);
        }
        this.queueFullLogged = false;
      } catch (err) {
        const e = asNotifyError(err);
        this.attempts++;
        this.stats.lastError = `${e.code}: ${e.message}`;
        const giveUp = !e.retryable || this.attempts >= this.opts.maxAttempts;
        if (!this.failing || e.code !== this.lastCode) {
          this.failing = true;
          this.lastCode = e.code;
          this.log.warn(`alerts to ${this.transport.name}: ${e.message} (${e.code}); ${e.retryable ? `retrying with backoff, up to ${this.opts.maxAttempts} attempts per alert` : 'not retried: fix the notifier settings'}; further failures are not logged until it works again`);
        }
        if (giveUp) {
          if (this.queue[0] === a) this.queue.shift();
          this.stats.failed++;
          this.attempts = 0;
          continue;
        }
        // Exponential backoff; a Retry-After from the destination wins when longer (up to 5 minutes).
        const base = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (this.attempts - 1));
        await this.sleep(Math.max(base, Math.min(e.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
      }
    }
    this.running = false;
    for (const f of this.idle.splice(0)) f();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = null;
        this.wake = null;
        resolve();
      }, ms);
      this.sleepTimer.unref();
    });
  }

  /**
   * Stops taking alerts, sends the pending summary (past the rate limit) and
   * waits until the queue is empty or `timeoutMs` has passed; alerts still
   * queued then count as undelivered. Closes the transport.
   */
  async close(timeoutMs: number): Promise<QueueStats> {
    if (this.closing) return this.stats;
    this.closing = true;
    if (this.summaryTimer !== null) clearTimeout(this.summaryTimer);
    this.summaryTimer = null;
    if (this.suppressedNow > 0) this.push(this.summary());
    if (this.running) {
      let timer: NodeJS.Timeout | null = null;
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      if (timer !== null) clearTimeout(timer);
    }
    this.stopped = true;
    if (this.sleepTimer !== null) clearTimeout(this.sleepTimer);
    this.wake?.();
    this.stats.undelivered = this.queue.length;
    try {
      await this.transport.close();
    } catch {
      // Closing is best effort.
    }
    return this.stats;
  }
}
