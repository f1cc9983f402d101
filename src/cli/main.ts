/**
 * The flowtap command: parses the command line, opens the inputs, runs the
 * probe over them and writes the records; prints end-of-run statistics on
 * stderr unless -q. Maps typed errors to exit codes (see helpText()).
 */
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parseArgs, helpText, CliOptions } from './args';
import { openCaptureInput } from '../capture/file-source';
import { BpfFilter } from '../capture/bpf-filter';
import { Probe, ProbeOptions, ProbeSummary } from '../probe';
import { loadLists } from '../dpi/classify/user-lists';
import { LineOutput } from '../export/output';
import { ThreadedJsonlSink } from '../export/threaded-jsonl';
import { TextSink } from '../export/text';
import type { RecordSink } from '../export/sink';
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

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
    if (opts.fluentd) {
      throw new UsageError(`fluentd export (-s ${opts.fluentd.host}) is not available in this version yet; without -s, records are written to standard output or to the -w file`);
    }
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

  let out: LineOutput;
  try {
    out = new LineOutput(opts.outFile);
  } catch (err) {
    if (err instanceof FlowtapError) {
      say(err.message);
      return ExitCode.OutputError;
    }
    throw err;
  }
  const sink: RecordSink = opts.format === 'text' ? new TextSink(out, opts.verbose === 1) : new ThreadedJsonlSink(out);
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
    if (interfaces[input] !== undefined && !existsSync(input)) {
      say(`${input} is a network interface: live capture is not available in this version yet; read a capture file with -r <file>`);
      code = ExitCode.Usage;
      continue;
    }
    try {
      const source = await openCaptureInput(input);
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
  probe.finish();
  try {
    await sink.close();
  } catch (err) {
    if (err instanceof FlowtapError) {
      say(err.message);
      return ExitCode.OutputError;
    }
    throw err;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!opts.quiet) printStats(inputName, probe.summary(), seconds, opts.statsJson);
  return code;
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

function printStats(input: string, s: ProbeSummary, seconds: number, asJson: boolean): void {
  const pps = seconds > 0 ? s.packets / seconds : 0;
  if (asJson) {
    process.stderr.write(JSON.stringify({ input, seconds: Math.round(seconds * 1000) / 1000, packets_per_second: Math.round(pps), ...s }) + '\n');
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
  process.stderr.write(lines.map((l, i) => (i === 0 ? `flowtap: ${l}` : l)).join('\n') + '\n');
}
