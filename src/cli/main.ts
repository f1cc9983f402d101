/**
 * The flowtap command: parses the command line, reads the configuration
 * file (-c) and merges the flags over it, opens the inputs (capture files,
 * or live capture from network interfaces: live.ts), runs the probe
 * over them (on this thread, or with -n N in N worker threads behind a
 * dispatcher: src/workers/) and writes the records (JSON Lines or text, network sinks),
 * with alerting when the configuration or a flag asks for it (its modules
 * are loaded only then); prints end-of-run statistics, one line per network
 * sink and the alert figures, on stderr unless -q. SIGINT/SIGTERM stop
 * reading: the flows still open are exported and the sinks drained or
 * persisted; a second signal cuts the drain short. The logger, the
 * metrics endpoint and SIGHUP (reload the lists) are service.ts. Maps typed
 * errors to exit codes (see helpText()).
 */
import { existsSync, mkdirSync, readFileSync, writeSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parseArgs, helpText, NO_INPUT, CliOptions } from './args';
import { cliOverrides } from './overrides';
import { planOf, type RunPlan } from './plan';
import { alertFlagsComment, alertingModule, alertsConfigOf, alertsConfigProblems, printable } from './alerts';
import { LiveCapture, type CaptureLine } from './live';
import { RunService } from './service';
import { ConfigError, configToYaml, defaultConfig, loadConfig } from '../config/load';
import { mergeCli } from '../config/cli-merge';
import { openCaptureInput } from '../capture/file-source';
import { BpfFilter } from '../capture/bpf-filter';
import type { Probe, ProbeOptions, ProbeSummary } from '../probe';
import type { PacketHandler } from '../capture/source';
import type { ExpiryTarget } from '../capture/live-expiry';
import { WorkerPool, type PoolEnd } from '../workers/worker-pool';
import { loadLists } from '../dpi/classify/user-lists';
import { LineOutput } from '../export/output';
import { ExportSink, type SinkReport } from '../export/export-sink';
import { AlertSinks, type AlertSinkReport } from '../export/alert-sinks';
import { TextSink } from '../export/text';
import { TeeSink } from '../export/tee-sink';
import type { RecordSink } from '../export/sink';
import { SinkError, type SinkLog } from '../export/sinks/transport';
import type { Alerting, AlertingSummary } from '../detect/alerting';
import type { AlertsConfig } from '../detect/rules-config';
import { CaptureError, ExitCode, FlowtapError, UsageError } from '../util/errors';
import type { InterfaceCaptureStats } from '../capture/live-source';
import { formatCount } from '../util/format';

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function say(msg: string): void {
  process.stderr.write(`flowtap: ${msg}\n`);
}

/** Messages of the delivery layer on this thread (alert sinks): synchronous, as the export thread's. */
function sinkLog(quiet: boolean): SinkLog {
  const line = (m: string): void => {
    try {
      writeSync(2, `flowtap: ${m}\n`);
    } catch {
      // Nowhere left to report to.
    }
  };
  return { info: (m) => (quiet ? undefined : line(m)), warn: line };
}

/** What can be stopped from waiting by the second SIGINT/SIGTERM. */
interface Forcible {
  force(): void;
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let opts: CliOptions;
  let plan: RunPlan;
  let alerts: AlertsConfig | null;
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      process.stdout.write(helpText() + '\n');
      return ExitCode.Ok;
    }
    if (opts.version) {
      process.stdout.write(`flowtap ${version()}\n`);
      return ExitCode.Ok;
    }
    const file = opts.config !== undefined ? loadConfig(opts.config, { env }) : defaultConfig();
    const cfg = mergeCli(file, cliOverrides(opts, env));
    alerts = alertsConfigOf(cfg, opts.alertFlags, env);
    plan = planOf(cfg, env);
    if (opts.printConfig) {
      const comment = alertFlagsComment(opts.alertFlags);
      process.stdout.write(configToYaml(printable(cfg)) + (comment !== undefined ? `${comment}\n` : ''));
      return ExitCode.Ok;
    }
    if (plan.inputs.length === 0 && plan.live === undefined) throw new UsageError(NO_INPUT);
    if (alerts !== null && plan.recordsOnStdout) {
      if (opts.alertFlags.alerts === '-') {
        throw new UsageError('--alerts -: the flow records go to standard output too; send them elsewhere with -w <file> (or only to network outputs), or give --alerts a file name');
      }
      const f = alerts.notify.file.find((n) => n.path === '-');
      if (f !== undefined) {
        throw new UsageError(`alerts.notify.${f.id}: path "-" writes alerts to standard output, where the flow records go too; send the records elsewhere with -w <file>, or give the alerts a file`);
      }
    }
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : alertsConfigProblems(err);
    if (problems !== undefined) {
      for (const p of problems) say(p);
      return ExitCode.Usage;
    }
    if (err instanceof UsageError) {
      say(err.message);
      return ExitCode.Usage;
    }
    throw err;
  }

  // The logger, the metrics endpoint and SIGHUP (reload the lists) for the whole run.
  let service: RunService;
  try {
    service = await RunService.start({
      logLevel: plan.logLevel,
      logSyslog: plan.logSyslog,
      quiet: plan.quiet,
      metricsListen: plan.metricsListen,
      listsDir: plan.listsDir,
      alerting: alerts !== null,
      info: { version: version() },
    });
  } catch (err) {
    if (err instanceof UsageError) {
      say(err.message);
      return ExitCode.Usage;
    }
    throw err;
  }

  // SIGINT/SIGTERM from here on: stop reading, export and deliver or persist everything (see helpText()).
  const stop = new AbortController();
  let signals = 0;
  let stoppedBy: string | undefined;
  const waiting = { list: [] as Forcible[], forced: false };
  const delivers = plan.specs.length > 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      stoppedBy = sig;
      service.stopping = true;
      stop.abort();
      if (!plan.quiet) {
        say(`${sig}: stopping; exporting the flows still open${delivers ? ` and delivering or spooling every record (${sig} again to stop waiting for collectors)` : ''}`);
      }
    } else {
      // Second signal: stop waiting for collectors; a third one ends the process at once.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      say(`${sig} again: keeping what is still pending in the spool and exiting`);
      waiting.forced = true;
      for (const w of waiting.list) w.force();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(opts, plan, alerts, stop.signal, () => stoppedBy, (w) => {
      waiting.list.push(w);
      if (waiting.forced) w.force();
    }, service);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await service.close();
  }
}

interface AlertsEnd {
  summary: AlertingSummary;
  sinks: AlertSinkReport[];
}

/**
 * What packets are handed to, and how the run ends: the Probe on this thread
 * (-n 1), or the worker threads (-n N) behind their dispatcher.
 */
interface Pipeline {
  handler: PacketHandler;
  /** Runs expiry on the wall clock on this thread (live capture with -n 1); null when the workers do. */
  expiry: ExpiryTarget | null;
  /** End of input: every open flow is exported; the run's figures. */
  finish(): Promise<PoolEnd>;
}

function singleThread(probe: Probe): Pipeline {
  return {
    handler: probe,
    expiry: probe,
    finish: async () => {
      const open = probe.table.count;
      probe.finish();
      return { summary: probe.summary(), open, failures: [], warnings: [] };
    },
  };
}

function workerThreads(pool: WorkerPool): Pipeline {
  return { handler: pool.dispatcher, expiry: null, finish: () => pool.finish() };
}

async function run(
  opts: CliOptions,
  plan: RunPlan,
  alertsCfg: AlertsConfig | null,
  stop: AbortSignal,
  stoppedBy: () => string | undefined,
  onForce: (w: Forcible) => void,
  service: RunService,
): Promise<number> {
  // Reading stops on SIGINT/SIGTERM, and when a worker thread fails.
  const halt = new AbortController();
  if (stop.aborted) halt.abort();
  else stop.addEventListener('abort', () => halt.abort(), { once: true });

  let filter: BpfFilter | undefined;
  // Live capture filters in the kernel (LiveCapture.open checks the expression).
  if (plan.filter !== undefined && plan.live === undefined) {
    try {
      filter = await BpfFilter.create(plan.filter);
    } catch (err) {
      if (err instanceof FlowtapError) {
        say(err.message);
        return ExitCode.Usage;
      }
      throw err;
    }
  }

  let dpi: ProbeOptions['dpi'] = plan.dpi ? {} : false;
  if (plan.dpi && plan.listsDir !== undefined) {
    try {
      // With worker threads this only checks the lists: each worker loads them.
      const lists = loadLists(plan.listsDir);
      dpi = { hosts: lists.hosts, ips: lists.ips };
    } catch (err) {
      if (err instanceof FlowtapError) {
        say(err.message);
        return ExitCode.Usage;
      }
      throw err;
    }
  }

  let live: LiveCapture | null = null;
  if (plan.live !== undefined) {
    const capture = await LiveCapture.open(plan.live, plan.filter, service.log, halt.signal);
    if (typeof capture === 'number') return capture;
    live = capture;
    service.capture = live.source;
  }

  // The probe's modules (decoders, every dissector) are loaded and the DPI tables built while the export thread starts.
  const opened = await openSinks(plan, () => {
    if (plan.workers === 1) loadProbe(dpi);
  });
  if (typeof opened === 'number') {
    await live?.close();
    return opened;
  }
  const { sink, exporter, textOutputs } = opened;
  if (exporter !== null) onForce(exporter);
  service.exporter = exporter;

  let alerting: Alerting | null = null;
  let alertSinks: AlertSinks | null = null;
  if (alertsCfg !== null) {
    const started = await startAlerting(opts, plan, alertsCfg);
    if (typeof started === 'number') {
      await live?.close();
      await sink.close().catch(() => undefined);
      return started;
    }
    ({ alerting, alertSinks } = started);
    if (alertSinks !== null) {
      const s = alertSinks;
      onForce({ force: () => s.abort() });
    }
  }

  let pipeline: Pipeline;
  if (plan.workers === 1) {
    const { Probe } = loadProbe(dpi);
    const probe = new Probe(sink, {
      filter,
      dpi,
      decoder: { tunnels: plan.tunnels },
      flows: { timeouts: plan.timeouts, maxFlows: plan.maxFlows },
      ...(alerting !== null ? { detector: alerting.detector } : {}),
    });
    service.probe = probe;
    pipeline = singleThread(probe);
  } else {
    try {
      const pool = await WorkerPool.start({
        workers: plan.workers,
        exporter: exporter as ExportSink,
        tunnels: plan.tunnels,
        timeouts: plan.timeouts,
        maxFlows: plan.maxFlows,
        dpi: plan.dpi,
        ...(plan.listsDir !== undefined ? { listsDir: plan.listsDir } : {}),
        clock: live !== null ? 'wall' : 'markers',
        filter,
        ...(alerting !== null ? { detector: alerting.detector } : {}),
        ...(plan.workerFault !== undefined ? { fault: plan.workerFault } : {}),
        onFailure: (line) => {
          say(`${line}; stopping: the flows of the other workers are exported`);
          halt.abort();
        },
      });
      service.workers = pool;
      pipeline = workerThreads(pool);
    } catch (err) {
      if (!(err instanceof FlowtapError)) throw err;
      say(err.message);
      await live?.close();
      await sink.close().catch(() => undefined);
      if (alerting !== null) await endAlerts(alerting, alertSinks, 0);
      return ExitCode.InputError;
    }
  }

  const started = process.hrtime.bigint();
  let code: number = ExitCode.Ok;
  const inputName = live !== null ? live.source.name : plan.inputs.length === 1 && plan.inputs[0] === '-' ? 'stdin' : plan.inputs.join(',');
  const interfaces = networkInterfaces();
  if (live !== null) code = await live.run(pipeline.handler, pipeline.expiry, textOutputs);
  for (const input of plan.inputs) {
    if (halt.signal.aborted) break;
    if (interfaces[input] !== undefined && !existsSync(input)) {
      say(`${input} is a network interface, not a capture file: capture from it with -i ${input}`);
      code = ExitCode.Usage;
      continue;
    }
    try {
      const source = await openCaptureInput(input, { signal: halt.signal });
      await source.run(pipeline.handler);
    } catch (err) {
      if (!(err instanceof FlowtapError)) throw err;
      if (isCutShort(err) && !plan.strict) {
        // A capture whose last record is incomplete (stopped while writing): keep what was read.
        say(`warning: ${err.message}; the packets before it were read`);
      } else {
        say(err.message);
        code = err instanceof UsageError ? ExitCode.Usage : ExitCode.InputError;
      }
    }
  }
  const end = await pipeline.finish();
  for (const w of end.warnings) say(w);
  if (end.failures.length > 0 && code === ExitCode.Ok) code = ExitCode.InputError;
  const sig = stoppedBy();
  if (sig !== undefined && !plan.quiet) say(`stopped by ${sig}: ${formatCount(end.open)} flows still open were exported`);
  // The notifiers and alert sinks finish while the export thread drains.
  const alertsEnd: Promise<AlertsEnd> | null = alerting === null ? null : endAlerts(alerting, alertSinks, plan.drainTimeoutMs);
  let closeError: FlowtapError | null = null;
  try {
    await sink.close();
  } catch (err) {
    if (!(err instanceof FlowtapError)) throw err;
    closeError = err;
  }
  // Packets per second measure the processing, not the wait for collectors at the end.
  const seconds = Number(process.hrtime.bigint() - started) / 1e9 - (exporter?.drainMs ?? 0) / 1000;
  const ended = alertsEnd !== null ? await alertsEnd : null;
  const reports = exporter?.reports ?? [];
  if (closeError !== null) {
    say(closeError.message);
    printSinks(reports, ended, plan);
    return ExitCode.OutputError;
  }
  const capture = live !== null ? { stats: live.stats(), lines: live.summaryLines() } : null;
  if (!plan.quiet) printStats(inputName, end.summary, seconds, plan.statsJson, reports, ended, capture);
  else {
    for (const l of capture?.lines ?? []) if (l.level === 'warn') service.log.warn(l.message);
    printSinks(reports, ended, plan);
  }
  if (code === ExitCode.Ok && (reports.some((r) => dropped(r) > 0) || (ended?.sinks ?? []).some((r) => dropped(r) > 0))) code = ExitCode.SinkDrops;
  return code;
}

/** Builds alerting and its sinks; an exit code when a destination cannot be opened. */
async function startAlerting(opts: CliOptions, plan: RunPlan, cfg: AlertsConfig): Promise<{ alerting: Alerting; alertSinks: AlertSinks | null } | number> {
  let alertSinks: AlertSinks | null = null;
  try {
    const log = sinkLog(plan.quiet);
    const alerting = alertingModule().createAlerting(cfg, { ...(opts.alertFlags.alerts !== undefined ? { alertsFile: opts.alertFlags.alerts } : {}), log });
    const sinks = new AlertSinks(plan.specs, plan.delivery, log);
    if (sinks.size > 0) {
      alertSinks = sinks;
      await sinks.start();
      alerting.on((a) => sinks.push(a));
    }
    if (alerting.notifiers.length === 0 && alertSinks === null && !plan.quiet) {
      say('alerts: no destination given, so alerts are only counted in the statistics; add --alerts <file|->, a notifier (alerts.notify), or a fluentd output');
    }
    return { alerting, alertSinks };
  } catch (err) {
    if (alertSinks !== null) await alertSinks.drain(0).catch(() => undefined);
    if (err instanceof SinkError) {
      say(err.message);
      return ExitCode.Usage;
    }
    if (!(err instanceof FlowtapError)) throw err;
    say(err.message);
    return err instanceof UsageError ? ExitCode.Usage : ExitCode.OutputError;
  }
}

async function endAlerts(alerting: Alerting, sinks: AlertSinks | null, drainTimeoutMs: number): Promise<AlertsEnd> {
  const summary = await alerting.close();
  return { summary, sinks: sinks !== null ? await sinks.drain(drainTimeoutMs) : [] };
}

/**
 * The probe's module, loaded on first use rather than with this one: run()
 * loads it while the export thread starts, so the two overlap. With DPI on,
 * the engine's shared tables are built too.
 */
function loadProbe(dpi: ProbeOptions['dpi']): typeof import('../probe') {
  const probe = require('../probe') as typeof import('../probe');
  if (dpi !== false && dpi !== undefined) probe.prepareDpi(dpi);
  return probe;
}

/**
 * The record sinks: text lines on the packet thread, JSON Lines and network
 * sinks on the export thread; with worker threads (-n N) everything on the
 * export thread, which reads one ring per worker (text lines included, so
 * lines of different workers never mix). `whileStarting` runs after the
 * export thread is started and before waiting for it to be ready. Returns an
 * exit code when something cannot be opened.
 */
async function openSinks(plan: RunPlan, whileStarting: () => void): Promise<{ sink: RecordSink; exporter: ExportSink | null; textOutputs: LineOutput[] } | number> {
  const sinks: RecordSink[] = [];
  const textOutputs: LineOutput[] = [];
  let exporter: ExportSink | null = null;
  const threads = plan.workers > 1;
  try {
    if (!threads) {
      for (const t of plan.text) {
        const out = new LineOutput(t.path);
        textOutputs.push(out);
        sinks.push(new TextSink(out, t.unknownOnly));
      }
    }
    if (plan.jsonl.length > 0 || plan.specs.length > 0 || threads) {
      const delivery = plan.specs.length > 0 ? plan.delivery : undefined;
      if (delivery !== undefined) {
        try {
          mkdirSync(delivery.spoolRoot, { recursive: true });
        } catch (err) {
          throw new FlowtapError('E_OUTPUT', `cannot create the spool directory ${delivery.spoolRoot}: ${(err as Error).message}; choose another with --spool-dir (or buffer.spool_dir)`);
        }
      }
      exporter = new ExportSink({
        jsonl: plan.jsonl,
        ...(threads ? { text: plan.text, producers: plan.workers } : {}),
        sinks: plan.specs,
        delivery,
        drainTimeoutMs: plan.drainTimeoutMs,
        quiet: plan.quiet,
      });
      sinks.push(exporter);
      whileStarting();
      await exporter.ready();
    }
  } catch (err) {
    if (exporter !== null) {
      // The rings of the workers that will not start: the export thread must not wait for them.
      for (let i = 0; i < exporter.rings.length; i++) if (threads) exporter.closeRing(i);
      await exporter.close().catch(() => undefined);
    }
    for (const s of sinks) if (s !== exporter) await s.close().catch(() => undefined);
    if (err instanceof UsageError) {
      say(err.message);
      return ExitCode.Usage;
    }
    if (err instanceof FlowtapError) {
      say(err.message);
      return ExitCode.OutputError;
    }
    throw err;
  }
  if (sinks.length === 0) return { sink: { writeFlow() {}, async close() {} }, exporter, textOutputs };
  return { sink: sinks.length === 1 ? sinks[0] : new TeeSink(sinks), exporter, textOutputs };
}

type Report = Pick<SinkReport, 'stats' | 'drain' | 'spoolDir'>;

function dropped(r: Report): number {
  return Math.max(r.stats.dropped, r.drain.dropped);
}

/** One line per network sink: what was delivered, kept for the next run, dropped or refused. */
export function sinkLine(r: Report, noun = 'record'): string {
  const s = r.stats;
  const parts = [`${formatCount(s.delivered)} ${noun}${s.delivered === 1 ? '' : 's'} delivered`];
  if (r.drain.spooled > 0) parts.push(`${formatCount(r.drain.spooled)} kept in ${r.spoolDir} for the next run`);
  const d = dropped(r);
  if (d > 0) parts.push(`${formatCount(d)} dropped (spool full: raise --buffer-size)`);
  if (s.rejected > 0) parts.push(`${formatCount(s.rejected)} refused by the destination`);
  let line = `${s.name}: ${parts.join(', ')}`;
  if ((r.drain.spooled > 0 || d > 0) && s.last_error !== undefined) {
    const e = s.last_error.startsWith(`${s.name}: `) ? s.last_error.slice(s.name.length + 2) : s.last_error;
    line += ` (last error: ${e})`;
  }
  return line;
}

function incomplete(r: Report): boolean {
  return r.drain.spooled > 0 || dropped(r) > 0 || r.stats.rejected > 0;
}

/** With -q (or after an output error), sink lines only when not everything was delivered. */
function printSinks(reports: readonly SinkReport[], alerts: AlertsEnd | null, plan: RunPlan): void {
  for (const r of reports) if (!plan.quiet || incomplete(r)) say(sinkLine(r));
  for (const r of alerts?.sinks ?? []) if (!plan.quiet || incomplete(r)) say(sinkLine(r, 'alert'));
}

/** The input ended inside a packet record (as opposed to a file too short to be a capture at all). */
function isCutShort(err: FlowtapError): boolean {
  return err instanceof CaptureError && err.code === 'E_INPUT_TRUNCATED' && err.offset > 0;
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r).map(([k, v]) => `${k} ${formatCount(v)}`).join(', ');
}

/** A live capture's figures at the end: per-interface counters and the drop report. */
interface CaptureEnd {
  stats: InterfaceCaptureStats[];
  lines: CaptureLine[];
}

function printStats(input: string, s: ProbeSummary, seconds: number, asJson: boolean, sinks: readonly SinkReport[], alerts: AlertsEnd | null, capture: CaptureEnd | null = null): void {
  const pps = seconds > 0 ? s.packets / seconds : 0;
  if (asJson) {
    const sinkStats = sinks.map((r) => ({ kind: r.kind, ...r.stats, spool_dir: r.spoolDir, drain: r.drain }));
    const alertStats = alerts === null ? {} : {
      alerts: {
        ...alerts.summary.detector,
        notifiers: alerts.summary.notifiers,
        sinks: alerts.sinks.map((r) => ({ ...r.stats, spool_dir: r.spoolDir, drain: r.drain })),
      },
    };
    process.stderr.write(JSON.stringify({ input, seconds: Math.round(seconds * 1000) / 1000, packets_per_second: Math.round(pps), ...s, sinks: sinkStats, ...alertStats, ...(capture !== null ? { capture: capture.stats } : {}) }) + '\n');
    return;
  }
  const lines = [
    `read ${formatCount(s.packets)} packets (${formatCount(s.bytes)} bytes) from ${input} in ${seconds.toFixed(2)} s: ${formatCount(Math.round(pps))} packets/s`,
    `  flows: ${formatCount(s.flows)}; records: ${formatCount(s.records)}${s.records ? ` (${reasons(s.records_by_end_reason)})` : ''}`,
    `  IP packets: ${formatCount(s.ip_packets)}; non-IP: ${formatCount(s.non_ip)}${s.filtered ? `; filtered out: ${formatCount(s.filtered)}` : ''}`,
  ];
  if (s.dpi_flows_dissected) lines.push(`  DPI: ${formatCount(s.dpi_flows_detected)} of ${formatCount(s.dpi_flows_dissected)} flows with payload identified from it`);
  if (s.malformed) lines.push(`  malformed: ${formatCount(s.malformed)} (${reasons(s.malformed_by_reason)})`);
  const unsupported = Object.entries(s.unsupported_link_types);
  if (unsupported.length) lines.push(`  unsupported link types: ${unsupported.map(([k, v]) => `${k}: ${formatCount(v)} packets`).join(', ')}`);
  if (s.fragments_reassembled || s.fragments_orphaned) {
    lines.push(`  IP fragments: ${formatCount(s.fragments_reassembled)} datagrams reassembled, ${formatCount(s.fragments_orphaned)} fragments without their first fragment`);
  }
  for (const l of capture?.lines ?? []) lines.push(`  ${l.message}`);
  for (const r of sinks) lines.push(`  ${sinkLine(r)}`);
  if (alerts !== null) {
    for (const l of alertingModule().alertingSummaryLines(alerts.summary)) lines.push(`  ${l}`);
    for (const r of alerts.sinks) lines.push(`    ${sinkLine(r, 'alert')}`);
  }
  process.stderr.write(lines.map((l, i) => (i === 0 ? `flowtap: ${l}` : l)).join('\n') + '\n');
}
