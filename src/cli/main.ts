/**
 * The flowtap command: parses the command line, opens the inputs, runs the
 * probe over them and writes the records (JSON Lines or text, network sinks);
 * prints end-of-run statistics, one line per network sink, on stderr unless
 * -q. SIGINT/SIGTERM stop reading: the flows still open are exported and the
 * sinks drained or persisted; a second signal cuts the drain short. Maps
 * typed errors to exit codes (see helpText()).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parseArgs, helpText, CliOptions } from './args';
import { openCaptureInput } from '../capture/file-source';
import { BpfFilter } from '../capture/bpf-filter';
import { Probe, ProbeOptions, ProbeSummary } from '../probe';
import { loadLists } from '../dpi/classify/user-lists';
import { LineOutput } from '../export/output';
import { ExportSink, type SinkReport } from '../export/export-sink';
import { TextSink } from '../export/text';
import { TeeSink } from '../export/tee-sink';
import type { RecordSink } from '../export/sink';
import type { SinkSpec } from '../export/sinks/spec';
import { buildSinkSpecs, deliverySettings } from './sinks';
import { CaptureError, ExitCode, FlowtapError, UsageError } from '../util/errors';

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

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let opts: CliOptions;
  let specs: SinkSpec[];
  try {
    opts = parseArgs(argv);
    specs = opts.help || opts.version ? [] : buildSinkSpecs(opts, env);
  } catch (err) {
    if (err instanceof UsageError) {
      say(err.message);
      return ExitCode.Usage;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(helpText() + '\n');
    return ExitCode.Ok;
  }
  if (opts.version) {
    process.stdout.write(`flowtap ${version()}\n`);
    return ExitCode.Ok;
  }

  // SIGINT/SIGTERM from here on: stop reading, export and deliver or persist everything (see helpText()).
  const stop = new AbortController();
  let signals = 0;
  let stoppedBy: string | undefined;
  const exp: { sink: ExportSink | null; forced: boolean } = { sink: null, forced: false };
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      stoppedBy = sig;
      stop.abort();
      if (!opts.quiet) {
        say(`${sig}: stopping; exporting the flows still open${specs.length > 0 ? ` and delivering or spooling every record (${sig} again to stop waiting for collectors)` : ''}`);
      }
    } else {
      // Second signal: stop waiting for collectors; a third one ends the process at once.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      say(`${sig} again: keeping what is still pending in the spool and exiting`);
      exp.forced = true;
      exp.sink?.force();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(opts, specs, env, stop.signal, () => stoppedBy, (e) => {
      exp.sink = e;
      if (exp.forced) e?.force();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function run(
  opts: CliOptions,
  specs: SinkSpec[],
  env: Readonly<Record<string, string | undefined>>,
  stop: AbortSignal,
  stoppedBy: () => string | undefined,
  setExporter: (e: ExportSink | null) => void,
): Promise<number> {
  let filter: BpfFilter | undefined;
  if (opts.filter !== undefined) {
    try {
      filter = await BpfFilter.create(opts.filter);
    } catch (err) {
      if (err instanceof FlowtapError) {
        say(err.message);
        return ExitCode.Usage;
      }
      throw err;
    }
  }

  let dpi: ProbeOptions['dpi'] = opts.dpi ? {} : false;
  if (opts.dpi && opts.listsDir !== undefined) {
    try {
      const lists = loadLists(opts.listsDir);
      dpi = { hosts: lists.hosts, ips: lists.ips };
    } catch (err) {
      if (err instanceof FlowtapError) {
        say(err.message);
        return ExitCode.Usage;
      }
      throw err;
    }
  }

  const opened = await openSinks(opts, specs, env);
  if (typeof opened === 'number') return opened;
  const { sink, exporter } = opened;
  setExporter(exporter);
  const probe = new Probe(sink, {
    filter,
    dpi,
    decoder: { tunnels: opts.tunnels },
    flows: { timeouts: opts.timeouts, maxFlows: opts.maxFlows },
  });

  const started = process.hrtime.bigint();
  let code: number = ExitCode.Ok;
  const inputName = opts.inputs.length === 1 && opts.inputs[0] === '-' ? 'stdin' : opts.inputs.join(',');
  const interfaces = networkInterfaces();
  for (const input of opts.inputs) {
    if (stop.aborted) break;
    if (interfaces[input] !== undefined && !existsSync(input)) {
      say(`${input} is a network interface: live capture is not available in this version yet; read a capture file with -r <file>`);
      code = ExitCode.Usage;
      continue;
    }
    try {
      const source = await openCaptureInput(input, { signal: stop });
      await source.run(probe);
    } catch (err) {
      if (!(err instanceof FlowtapError)) throw err;
      if (isCutShort(err) && !opts.strict) {
        // A capture whose last record is incomplete (stopped while writing): keep what was read.
        say(`warning: ${err.message}; the packets before it were read`);
      } else {
        say(err.message);
        code = err instanceof UsageError ? ExitCode.Usage : ExitCode.InputError;
      }
    }
  }
  const open = probe.table.count;
  probe.finish();
  const sig = stoppedBy();
  if (sig !== undefined && !opts.quiet) say(`stopped by ${sig}: ${num(open)} flows still open were exported`);
  try {
    await sink.close();
  } catch (err) {
    if (err instanceof FlowtapError) {
      say(err.message);
      printSinks(exporter?.reports ?? [], opts);
      return ExitCode.OutputError;
    }
    throw err;
  }
  // Packets per second measure the processing, not the wait for collectors at the end.
  const seconds = Number(process.hrtime.bigint() - started) / 1e9 - (exporter?.drainMs ?? 0) / 1000;
  const reports = exporter?.reports ?? [];
  if (!opts.quiet) printStats(inputName, probe.summary(), seconds, opts.statsJson, reports);
  else printSinks(reports, opts);
  if (code === ExitCode.Ok && reports.some((r) => dropped(r) > 0)) code = ExitCode.SinkDrops;
  return code;
}

/**
 * The record sinks: text lines on the packet thread, JSON Lines and network
 * sinks on the export thread. JSON Lines go to -w (a file or "-"), or to
 * standard output when there is no network sink. Returns an exit code when
 * something cannot be opened.
 */
async function openSinks(opts: CliOptions, specs: SinkSpec[], env: Readonly<Record<string, string | undefined>>): Promise<{ sink: RecordSink; exporter: ExportSink | null } | number> {
  const sinks: RecordSink[] = [];
  let exporter: ExportSink | null = null;
  try {
    if (opts.format === 'text') sinks.push(new TextSink(new LineOutput(opts.outFile), opts.verbose === 1));
    const jsonl = opts.format === 'jsonl' && (opts.outFile !== undefined || specs.length === 0);
    if (jsonl || specs.length > 0) {
      const delivery = specs.length > 0 ? deliverySettings(opts, env) : undefined;
      if (delivery !== undefined) {
        try {
          mkdirSync(delivery.spoolRoot, { recursive: true });
        } catch (err) {
          throw new FlowtapError('E_OUTPUT', `cannot create the spool directory ${delivery.spoolRoot}: ${(err as Error).message}; choose another with --spool-dir`);
        }
      }
      exporter = new ExportSink({
        jsonl: jsonl ? [{ path: opts.outFile, rotate: opts.rotate && { ...opts.rotate, clock: 'record' } }] : [],
        sinks: specs,
        delivery,
        drainTimeoutMs: opts.drainTimeoutMs,
        quiet: opts.quiet,
      });
      sinks.push(exporter);
      await exporter.ready();
    }
  } catch (err) {
    if (exporter !== null) await exporter.close().catch(() => undefined);
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
  return { sink: sinks.length === 1 ? sinks[0] : new TeeSink(sinks), exporter };
}

function dropped(r: SinkReport): number {
  return Math.max(r.stats.dropped, r.drain.dropped);
}

/** One line per network sink: what was delivered, kept for the next run, dropped or refused. */
export function sinkLine(r: SinkReport): string {
  const s = r.stats;
  const parts = [`${num(s.delivered)} ${s.delivered === 1 ? 'record' : 'records'} delivered`];
  if (r.drain.spooled > 0) parts.push(`${num(r.drain.spooled)} kept in ${r.spoolDir} for the next run`);
  const d = dropped(r);
  if (d > 0) parts.push(`${num(d)} dropped (spool full: raise --buffer-size)`);
  if (s.rejected > 0) parts.push(`${num(s.rejected)} refused by the destination`);
  let line = `${s.name}: ${parts.join(', ')}`;
  if ((r.drain.spooled > 0 || d > 0) && s.last_error !== undefined) {
    const e = s.last_error.startsWith(`${s.name}: `) ? s.last_error.slice(s.name.length + 2) : s.last_error;
    line += ` (last error: ${e})`;
  }
  return line;
}

/** With -q, sink lines only when not everything was delivered. */
function printSinks(reports: readonly SinkReport[], opts: CliOptions): void {
  for (const r of reports) {
    if (!opts.quiet || r.drain.spooled > 0 || dropped(r) > 0 || r.stats.rejected > 0) say(sinkLine(r));
  }
}

/** The input ended inside a packet record (as opposed to a file too short to be a capture at all). */
function isCutShort(err: FlowtapError): boolean {
  return err instanceof CaptureError && err.code === 'E_INPUT_TRUNCATED' && err.offset > 0;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r).map(([k, v]) => `${k} ${num(v)}`).join(', ');
}

function printStats(input: string, s: ProbeSummary, seconds: number, asJson: boolean, sinks: readonly SinkReport[]): void {
  const pps = seconds > 0 ? s.packets / seconds : 0;
  if (asJson) {
    const sinkStats = sinks.map((r) => ({ kind: r.kind, ...r.stats, spool_dir: r.spoolDir, drain: r.drain }));
    process.stderr.write(JSON.stringify({ input, seconds: Math.round(seconds * 1000) / 1000, packets_per_second: Math.round(pps), ...s, sinks: sinkStats }) + '\n');
    return;
  }
  const lines = [
    `read ${num(s.packets)} packets (${num(s.bytes)} bytes) from ${input} in ${seconds.toFixed(2)} s: ${num(Math.round(pps))} packets/s`,
    `  flows: ${num(s.flows)}; records: ${num(s.records)}${s.records ? ` (${reasons(s.records_by_end_reason)})` : ''}`,
    `  IP packets: ${num(s.ip_packets)}; non-IP: ${num(s.non_ip)}${s.filtered ? `; filtered out: ${num(s.filtered)}` : ''}`,
  ];
  if (s.dpi_flows_dissected) lines.push(`  DPI: ${num(s.dpi_flows_detected)} of ${num(s.dpi_flows_dissected)} flows with payload identified from it`);
  if (s.malformed) lines.push(`  malformed: ${num(s.malformed)} (${reasons(s.malformed_by_reason)})`);
  const unsupported = Object.entries(s.unsupported_link_types);
  if (unsupported.length) lines.push(`  unsupported link types: ${unsupported.map(([k, v]) => `${k}: ${num(v)} packets`).join(', ')}`);
  if (s.fragments_reassembled || s.fragments_orphaned) {
    lines.push(`  IP fragments: ${num(s.fragments_reassembled)} datagrams reassembled, ${num(s.fragments_orphaned)} fragments without their first fragment`);
  }
  for (const r of sinks) lines.push(`  ${sinkLine(r)}`);
  process.stderr.write(lines.map((l, i) => (i === 0 ? `flowtap: ${l}` : l)).join('\n') + '\n');
}
