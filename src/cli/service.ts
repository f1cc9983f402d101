/**
 * The service side of a flowtap run: the logger (--log-level, --log-syslog,
 * log.level, log.syslog; -q hides information messages), the /healthz and
 * Prometheus /metrics endpoint (--metrics-listen, metrics.listen; served by
 * src/web/metrics.ts, numbers gathered at each request from the probe (or
 * the worker threads' published counters, -n N), the live capture and the
 * export thread's latest per-sink counters), and SIGHUP, which reloads the
 * --lists directory (dpi.lists) into the running DPI engine (every worker's,
 * -n N): flows classified from then on use the new lists; a list with a
 * mistake keeps the previous ones and logs one line, never ends the run.
 *
 * Not reloaded (read at start only, a restart applies them): the alert
 * rules (src/detect/alerting.ts builds its detector once and offers no way
 * to replace its rules) and every other setting; the SIGHUP message says
 * so. The DPI engine's cache of endpoints labelled before the reload is
 * kept.
 */
import type { LiveSource } from '../capture/live-source';
import type { ExportSink } from '../export/export-sink';
import { loadLists } from '../dpi/classify/user-lists';
import type { Probe } from '../probe';
import type { WorkerPool } from '../workers/worker-pool';
import { Logger, type LogLevel } from '../util/log';
import { startMetricsServer, type Metrics, type MetricsServer } from '../web/metrics';

export interface ServiceOptions {
  logLevel: LogLevel;
  logSyslog: boolean;
  /** -q (log.stats off): information messages are not shown either. */
  quiet: boolean;
  metricsListen?: { host: string; port: number };
  /** The --lists directory, reloaded on SIGHUP. */
  listsDir?: string;
  /** Alerting runs (its rules are not reloaded: the SIGHUP message says so). */
  alerting: boolean;
  /** Extra /healthz fields (the version). */
  info?: Readonly<Record<string, string | number | boolean>>;
}

export class RunService {
  readonly log: Logger;
  /** Set by the run as its parts are created; the endpoint counts missing parts as zero. */
  probe: Probe | null = null;
  /** The worker threads (-n N, N > 1), instead of the probe. */
  workers: WorkerPool | null = null;
  capture: LiveSource | null = null;
  exporter: ExportSink | null = null;
  /** SIGINT/SIGTERM was received: /healthz says "stopping". */
  stopping = false;
  private metrics: MetricsServer | null = null;
  private countersAskedMs = 0;
  private readonly onHangup = (): void => this.reload();

  private constructor(private readonly opts: ServiceOptions) {
    const level = opts.quiet && opts.logLevel === 'info' ? 'warn' : opts.logLevel;
    this.log = new Logger({ level, syslog: opts.logSyslog });
  }

  /**
   * Starts the logger, the metrics endpoint (when asked for) and the SIGHUP
   * handler; rejects with a UsageError naming the address when the endpoint
   * cannot listen.
   */
  static async start(opts: ServiceOptions): Promise<RunService> {
    const s = new RunService(opts);
    if (opts.metricsListen !== undefined) {
      try {
        s.metrics = await startMetricsServer(opts.metricsListen, () => s.collect());
      } catch (err) {
        await s.log.close();
        throw err;
      }
      s.log.info(`metrics on ${s.metrics.url}/metrics and ${s.metrics.url}/healthz`);
    }
    process.on('SIGHUP', s.onHangup);
    return s;
  }

  /**
   * What /metrics and /healthz show now. The capture helpers' counters
   * (received, kernel and interface drops) are as of their last report:
   * each request asks for fresh ones (at most once a second), which the
   * next request shows.
   */
  collect(): Metrics {
    const p = this.probe;
    const w = this.workers?.counters() ?? null;
    const capture = this.capture;
    if (capture !== null && !this.stopping && Date.now() - this.countersAskedMs >= 1000) {
      this.countersAskedMs = Date.now();
      void capture.refreshCounters();
    }
    const cap = capture?.captureStats() ?? [];
    const sinks = this.exporter?.sinkStats ?? [];
    const degraded = cap.some((c) => !c.up) || sinks.some((s) => s.state !== 'up');
    return {
      status: this.stopping ? 'stopping' : degraded ? 'degraded' : 'ok',
      packets: w?.packets ?? p?.packets ?? 0,
      bytes: w?.bytes ?? p?.bytes ?? 0,
      filtered: w?.filtered ?? p?.filtered ?? 0,
      malformed: w?.malformed ?? p?.decoder.malformedTotal() ?? 0,
      flowsActive: w?.flowsActive ?? p?.table.count ?? 0,
      flowsTotal: w?.flowsTotal ?? p?.table.created ?? 0,
      records: w?.records ?? p?.records ?? 0,
      capture: cap.map((c) => ({
        interface: c.iface,
        up: c.up,
        received: c.received,
        kernelDrops: c.kernelDrops,
        interfaceDrops: c.interfaceDrops,
        helperDrops: c.gapPackets,
        restarts: c.restarts,
      })),
      sinks: sinks.map((s) => ({
        name: s.name,
        state: s.state,
        delivered: s.delivered,
        errors: s.errors,
        rejected: s.rejected,
        dropped: s.dropped,
        pending: s.pending,
        spooledBytes: s.spooled_bytes,
        lagSeconds: s.lag_ms / 1000,
        retries: s.retries,
      })),
      ...(this.opts.info !== undefined ? { info: this.opts.info } : {}),
    };
  }

  /** SIGHUP: reloads the lists directory into the DPI engine (see the module comment). */
  reload(): void {
    const log = this.log;
    const rest = `; ${this.opts.alerting ? 'the alert rules and ' : ''}the other settings are read at start only (restart flowtap to change them)`;
    const workers = this.workers;
    if (this.probe === null && workers === null) {
      log.warn('SIGHUP: flowtap is still starting; nothing was reloaded');
      return;
    }
    const dpi = this.probe?.dpi ?? null;
    if (workers !== null ? !workers.dpi : dpi === null) {
      log.warn(`SIGHUP: application detection is off (--no-dpi), so there are no lists to reload${rest}`);
      return;
    }
    const dir = this.opts.listsDir;
    if (dir === undefined) {
      log.warn(`SIGHUP: no lists directory to reload (give one with --lists or dpi.lists)${rest}`);
      return;
    }
    let lists: ReturnType<typeof loadLists>;
    try {
      lists = loadLists(dir);
    } catch (err) {
      log.error(`SIGHUP: the lists were not reloaded, the previous ones stay in use: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const done = `SIGHUP: reloaded the lists in ${dir} (${lists.files} file${lists.files === 1 ? '' : 's'}, ${lists.entries} entr${lists.entries === 1 ? 'y' : 'ies'}); flows classified from now on use them${rest}`;
    if (workers === null) {
      if (dpi !== null) {
        dpi.hosts = lists.hosts;
        dpi.ips = lists.ips;
      }
      log.info(done);
      return;
    }
    // Each worker thread loads them itself; the message comes once all have.
    void workers.reload(dir).then((errors) => {
      for (const e of errors) log.error(`SIGHUP: the lists were not reloaded in ${e}; that worker keeps the previous ones`);
      if (errors.length === 0) log.info(done);
    });
  }

  /** Stops the endpoint and the SIGHUP handler, then the syslog helper (after the drain). */
  async close(): Promise<void> {
    process.off('SIGHUP', this.onHangup);
    const m = this.metrics;
    this.metrics = null;
    if (m !== null) await m.close();
    await this.log.close();
  }
}
