/**
 * Alerting, assembled: createAlerting() turns a validated `alerts:`
 * configuration (plus command-line overrides, applyAlertFlags()) into the
 * detector the probe observes flows with, the hub other outputs can listen
 * to, and one queue per notifier (Slack, webhook, e-mail, syslog, JSON
 * Lines). The packet path only reaches the detector; raising an alert only
 * enqueues it; close() drains the queues with a deadline and returns what
 * was delivered. The e-mail notifier (and nodemailer) is loaded only when
 * one is configured.
 */
import { closeSync, openSync } from 'node:fs';
import { FlowtapError, UsageError } from '../util/errors';
import type { Alert } from './alert';
import { AlertDetector, DetectorStats } from './detector';
import { AlertHub, AlertStream } from './hub';
import type { AlertsConfig, NotifierCommon } from './rules-config';
import { defaultAlertsConfig } from './rules-config';
import { NotifierQueue, QueueOptions, QueueStats } from './notify/queue';
import type { AlertTransport, NotifyLog } from './notify/types';
import { SlackTransport } from './notify/slack';
import { WebhookTransport } from './notify/webhook';
import { SyslogTransport } from './notify/syslog';
import { JsonlTransport } from './notify/jsonl';

export interface AlertingOptions {
  /** `--alerts <file|->`: every alert as a JSON line, besides the configured notifiers. */
  alertsFile?: string;
  /** Where notifier problems are reported (default: standard error, "flowtap: " prefixed). */
  log?: NotifyLog;
  /** How long close() waits for the queues to drain (default 10 s). */
  closeTimeoutMs?: number;
  /** Seed of the detector's hashes (default random). */
  seed?: number;
  /** Overrides of every queue's retry/rate settings (tests). */
  queue?: Partial<Pick<QueueOptions, 'maxAttempts' | 'backoffMs' | 'maxBackoffMs' | 'now' | 'burst'>>;
}

/** Command-line flags that adjust the configuration (each optional). */
export interface AlertFlags {
  /** --alerts <file|->: turns alerting on (with defaults when the config has no alerts: section). */
  alerts?: string;
  /** --scan-threshold <n>: distinct destination ports per window for the port-scan detector. */
  scanThreshold?: number;
  /** --sweep-threshold <n>: distinct destination hosts per window for the host-sweep detector. */
  sweepThreshold?: number;
  /** --alert-window <seconds>. */
  alertWindowSeconds?: number;
  /** --slack-webhook <url>: adds a Slack notifier (or replaces the URL of the configured one). */
  slackWebhook?: string;
  /** --syslog <udp|tcp>://host[:port]: adds a syslog notifier. */
  syslog?: string;
  /** --alert-webhook <url>: adds a generic JSON webhook. */
  webhook?: string;
}

const DEFAULT_NOTIFIER: Omit<NotifierCommon, 'id'> = { minSeverity: 'info', ratePerMinute: 0, queueSize: 1000, timeoutMs: 10_000 };

/**
 * The configuration with the command-line flags applied (config may be
 * undefined when the config file has no alerts: section). Throws UsageError
 * (E_USAGE) naming the flag for bad values. Alerting is meant to run when
 * the result's `enabled` is true (a config section without `enabled: false`,
 * or any of --alerts, --slack-webhook, --syslog, --alert-webhook).
 */
export function applyAlertFlags(config: AlertsConfig | undefined, flags: AlertFlags): AlertsConfig {
  const cfg: AlertsConfig = config ?? defaultAlertsConfig();
  const out: AlertsConfig = { ...cfg, scans: { ...cfg.scans }, notify: { ...cfg.notify } };
  // Asking for alerts on the command line turns them on, whatever the file says.
  if (flags.alerts !== undefined || flags.slackWebhook !== undefined || flags.syslog !== undefined || flags.webhook !== undefined) out.enabled = true;
  const positive = (v: number, flag: string, max: number): number => {
    if (!Number.isInteger(v) || v < 2 || v > max) throw new UsageError(`${flag} must be an integer from 2 to ${max}, got ${v}`);
    return v;
  };
  if (flags.scanThreshold !== undefined) out.scans.portScan = { ...out.scans.portScan, enabled: true, threshold: positive(flags.scanThreshold, '--scan-threshold', 5000) };
  if (flags.sweepThreshold !== undefined) out.scans.hostSweep = { ...out.scans.hostSweep, enabled: true, threshold: positive(flags.sweepThreshold, '--sweep-threshold', 5000) };
  if (flags.alertWindowSeconds !== undefined) {
    const s = flags.alertWindowSeconds;
    if (!(Number.isFinite(s) && s >= 1 && s <= 3600)) throw new UsageError(`--alert-window must be from 1 to 3600 seconds, got ${s}`);
    out.windowMs = Math.round(s * 1000);
    out.holdMs = Math.min(out.holdMs, out.windowMs - 1);
  }
  const url = (v: string, flag: string): string => {
    try {
      const u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return v;
    } catch {
      // fall through
    }
    throw new UsageError(`${flag} needs an http:// or https:// URL`);
  };
  if (flags.slackWebhook !== undefined) {
    const u = url(flags.slackWebhook, '--slack-webhook');
    out.notify.slack = out.notify.slack.length > 0
      ? [{ ...out.notify.slack[0], webhookUrl: u }, ...out.notify.slack.slice(1)]
      : [{ ...DEFAULT_NOTIFIER, id: 'slack', ratePerMinute: 20, webhookUrl: u, format: 'blocks' }];
  }
  if (flags.webhook !== undefined) {
    out.notify.webhook = [...out.notify.webhook, { ...DEFAULT_NOTIFIER, id: 'webhook', ratePerMinute: 60, url: url(flags.webhook, '--alert-webhook'), headers: {} }];
  }
  if (flags.syslog !== undefined) {
    const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(flags.syslog);
    const port = m?.[3] !== undefined ? Number(m[3]) : 514;
    if (m === null || port < 1 || port > 65535) throw new UsageError(`--syslog must look like udp://host[:port] or tcp://host[:port], got '${flags.syslog}'`);
    out.notify.syslog = [...out.notify.syslog, {
      ...DEFAULT_NOTIFIER, id: 'syslog', host: m[2].replace(/^\[|\]$/g, ''), port, transport: m[1] as 'udp' | 'tcp', facility: 16,
      appName: 'flowtap', hostname: null, sdId: 'flowtap@32473',
    }];
  }
  return out;
}

export interface NotifierSummary extends QueueStats {
  name: string;
}

export interface AlertingSummary {
  detector: DetectorStats;
  notifiers: NotifierSummary[];
}

const stderrLog: NotifyLog = {
  info: (m) => process.stderr.write(`flowtap: ${m}\n`),
  warn: (m) => process.stderr.write(`flowtap: ${m}\n`),
};

export class Alerting {
  /** Give this to the probe (ProbeOptions.detector). */
  readonly detector: AlertDetector;
  readonly hub = new AlertHub();
  readonly notifiers: NotifierQueue[] = [];
  private readonly closeTimeoutMs: number;
  private closed: Promise<AlertingSummary> | null = null;

  constructor(config: AlertsConfig, opts: AlertingOptions = {}) {
    const log = opts.log ?? stderrLog;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    const add = (t: AlertTransport, c: Omit<NotifierCommon, 'id'>): void => {
      this.notifiers.push(new NotifierQueue(t, { minSeverity: c.minSeverity, ratePerMinute: c.ratePerMinute, queueSize: c.queueSize, ...opts.queue }, log));
    };
    if (opts.alertsFile !== undefined) {
      checkWritable(opts.alertsFile, '--alerts');
      add(new JsonlTransport(opts.alertsFile), { ...DEFAULT_NOTIFIER, queueSize: 100_000 });
    }
    const n = config.notify;
    for (const c of n.file) {
      checkWritable(c.path, `alerts.notify.${c.id}.path`);
      add(new JsonlTransport(c.path), c);
    }
    for (const c of n.slack) add(new SlackTransport(c.webhookUrl, c.format, c.timeoutMs), c);
    for (const c of n.webhook) add(new WebhookTransport(c.url, c.headers, c.timeoutMs), c);
    if (n.email.length > 0) {
      const { EmailTransport } = require('./notify/email') as typeof import('./notify/email');
      for (const c of n.email) add(new EmailTransport(c), c);
    }
    for (const c of n.syslog) add(new SyslogTransport(c), c);
    this.detector = new AlertDetector(config, (a) => this.raise(a), opts.seed);
  }

  private raise(a: Alert): void {
    this.hub.publish(a);
    for (const q of this.notifiers) q.offer(a);
  }

  /** Calls fn with every alert raised from now on (synchronously; keep it quick); returns the unsubscribe function. */
  on(fn: (a: Alert) => void): () => void {
    return this.hub.on(fn);
  }

  /** Every alert raised from now on, as an async iterable; it ends at close(). */
  stream(maxBuffered?: number): AlertStream {
    return this.hub.stream(maxBuffered);
  }

  /**
   * End of the run: raises the pending alerts (if the probe's finish() has not
   * already), waits for the notifiers (at most closeTimeoutMs) and returns
   * the figures.
   */
  close(): Promise<AlertingSummary> {
    this.closed ??= (async () => {
      this.detector.finish();
      this.hub.close();
      const stats = await Promise.all(this.notifiers.map((q) => q.close(this.closeTimeoutMs)));
      return {
        detector: this.detector.stats(),
        notifiers: stats.map((s, i) => ({ name: this.notifiers[i].transport.name, ...s })),
      };
    })();
    return this.closed;
  }
}

/** Builds alerting from a validated configuration (and options such as `--alerts`). */
export function createAlerting(config: AlertsConfig, opts: AlertingOptions = {}): Alerting {
  return new Alerting(config, opts);
}

function checkWritable(path: string, what: string): void {
  if (path === '-') return;
  try {
    closeSync(openSync(path, 'a'));
  } catch (err) {
    throw new FlowtapError('E_OUTPUT', `${what} ${path}: cannot open for writing (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** End-of-run lines for the statistics on standard error. */
export function alertingSummaryLines(s: AlertingSummary): string[] {
  const total = Object.values(s.detector.alerts).reduce((a, b) => a + b, 0);
  const byRule = Object.entries(s.detector.alerts).map(([r, n]) => `${r} ${n}`).join(', ');
  const lines = [`alerts: ${total}${total > 0 ? ` (${byRule})` : ''}; sources tracked ${s.detector.sources}${s.detector.sourcesEvicted > 0 ? `, evicted ${s.detector.sourcesEvicted}` : ''}`];
  for (const n of s.notifiers) {
    const bad = n.failed + n.dropped + n.undelivered;
    let line = `  ${n.name}: ${n.delivered} delivered`;
    if (n.suppressed > 0) line += `, ${n.suppressed} rate-limited (in ${n.summaries} summar${n.summaries === 1 ? 'y' : 'ies'})`;
    if (bad > 0) line += `, ${bad} not delivered${n.lastError !== undefined ? ` (last error ${n.lastError})` : ''}`;
    lines.push(line);
  }
  return lines;
}
