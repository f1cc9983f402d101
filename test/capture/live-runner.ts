/**
 * Live capture without the flowtap command around it: a Probe, a
 * LiveSource, the clock-driven expiry, JSON Lines, the logger, optionally
 * the metrics endpoint, built by hand as src/cli/main.ts and live.ts do;
 * runs until SIGTERM or SIGINT, exports the flows still open and prints the
 * statistics on stderr. JSON Lines are written on this thread (JsonlSink,
 * the same bytes as the CLI's export thread) and flushed every second.
 * It has options the CLI lacks (--immediate, --stats-interval), for
 * measuring the capture alone: live-e2e.test.ts runs the acceptance
 * scenario through it and through the CLI, and scripts/live-load-test.sh
 * uses it with --cmd runner.
 *
 *   node build/test/capture/live-runner.js -i eth1[,eth2] [-f bpf] [-w file]
 *     [--timeout udp=1,...] [--snaplen n] [--no-promisc] [--capture-buffer size] [--immediate]
 *     [--stats-interval seconds] [--no-dpi] [--log-level level] [--metrics-listen addr]
 *     [--stats-json] [-q] [-n 1]
 *
 * Prints "flowtap: capturing on <interfaces>" on stderr once every helper is
 * listening (tests wait for it). Exit codes as the CLI: 0, 1 (capture
 * failure), 2 (usage: bad option, missing interface, bad filter).
 */
import { LiveSource, type LiveSourceOptions } from '../../src/capture/live-source';
import { LiveCaptureError } from '../../src/capture/live-errors';
import { startLiveExpiry } from '../../src/capture/live-expiry';
import { Probe } from '../../src/probe';
import { JsonlSink } from '../../src/export/jsonl';
import { LineOutput } from '../../src/export/output';
import { DEFAULT_TIMEOUTS, type FlowTimeouts } from '../../src/flow/expiry';
import { parseSize } from '../../src/config/units';
import { Logger, parseLogLevel, type LogLevel } from '../../src/util/log';
import { startMetricsServer, type MetricsServer } from '../../src/web/metrics';
import { FlowtapError, UsageError } from '../../src/util/errors';

interface RunnerOptions {
  interfaces: string[];
  filter?: string;
  outFile?: string;
  timeouts: FlowTimeouts;
  snaplen?: number;
  promisc: boolean;
  captureBuffer?: number;
  immediate: boolean;
  statsIntervalMs?: number;
  dpi: boolean;
  logLevel: LogLevel;
  metricsListen?: string;
  statsJson: boolean;
  quiet: boolean;
}

const TIMEOUT_KEYS: Record<string, keyof FlowTimeouts> = {
  'tcp-opening': 'tcpOpening', tcp: 'tcp', 'tcp-closed': 'tcpClosed', udp: 'udp', icmp: 'icmp', other: 'other', active: 'active',
};

function parse(argv: readonly string[]): RunnerOptions {
  const o: RunnerOptions = { interfaces: [], timeouts: { ...DEFAULT_TIMEOUTS }, promisc: true, immediate: false, dpi: true, logLevel: 'info', statsJson: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a}: needs a value`);
      return v;
    };
    switch (a) {
      case '-i':
        o.interfaces.push(...val().split(','));
        break;
      case '-f':
        o.filter = val();
        break;
      case '-w':
        o.outFile = val();
        break;
      case '--format':
        if (val() !== 'jsonl') throw new UsageError('--format: this runner writes jsonl only');
        break;
      case '--timeout':
        for (const item of val().split(',')) {
          const m = /^([a-z-]+)=(\d+)$/.exec(item);
          if (m === null || TIMEOUT_KEYS[m[1]] === undefined) throw new UsageError(`--timeout: bad item '${item}'`);
          o.timeouts[TIMEOUT_KEYS[m[1]]] = Number(m[2]);
        }
        break;
      case '--snaplen':
        o.snaplen = Number(val());
        break;
      case '--no-promisc':
        o.promisc = false;
        break;
      case '--immediate':
        o.immediate = true;
        break;
      case '--capture-buffer': {
        const v = val();
        const n = parseSize(v);
        if (n === undefined) throw new UsageError(`--capture-buffer: expected a size (e.g. 64M), got '${v}'`);
        o.captureBuffer = n;
        break;
      }
      case '--stats-interval':
        o.statsIntervalMs = Number(val()) * 1000;
        break;
      case '--no-dpi':
        o.dpi = false;
        break;
      case '--log-level':
        o.logLevel = parseLogLevel(val());
        break;
      case '--metrics-listen':
        o.metricsListen = val();
        break;
      case '--stats-json':
        o.statsJson = true;
        break;
      case '-q':
        o.quiet = true;
        break;
      case '-n':
        if (val() !== '1') throw new UsageError('-n: this runner is single-threaded (one Probe); worker threads run in the flowtap command');
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (o.interfaces.length === 0) throw new UsageError('-i <interface> is required');
  return o;
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: RunnerOptions;
  try {
    opts = parse(argv);
  } catch (e) {
    process.stderr.write(`flowtap: ${(e as Error).message}\n`);
    return 2;
  }
  const log = new Logger({ level: opts.logLevel });
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!stop.signal.aborted) log.info(`${sig}: stopping; exporting the flows still open`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const liveOpts: LiveSourceOptions = {
    interfaces: opts.interfaces,
    filter: opts.filter,
    snaplen: opts.snaplen,
    promisc: opts.promisc,
    bufferBytes: opts.captureBuffer,
    immediate: opts.immediate,
    statsIntervalMs: opts.statsIntervalMs,
    signal: stop.signal,
    log,
  };
  let source: LiveSource;
  try {
    source = await LiveSource.open(liveOpts);
  } catch (e) {
    if (e instanceof LiveCaptureError) {
      log.error(e.message);
      return e.exitCode;
    }
    if (e instanceof FlowtapError) {
      log.error(e.message);
      return 2;
    }
    throw e;
  }
  const out = new LineOutput(opts.outFile);
  const sink = new JsonlSink(out);
  const flusher = setInterval(() => out.flush(), 1000);
  const probe = new Probe(sink, { dpi: opts.dpi ? {} : false, flows: { timeouts: opts.timeouts } });
  let metrics: MetricsServer | undefined;
  if (opts.metricsListen !== undefined) {
    metrics = await startMetricsServer(opts.metricsListen, () => {
      const cap = source.captureStats();
      return {
        status: cap.every((c) => c.up) ? 'ok' : 'degraded',
        packets: probe.packets,
        bytes: probe.bytes,
        flowsActive: probe.table.count,
        flowsTotal: probe.table.created,
        records: probe.records,
        capture: cap.map((c) => ({
          interface: c.iface, up: c.up, received: c.received, kernelDrops: c.kernelDrops, interfaceDrops: c.interfaceDrops, helperDrops: c.gapPackets, restarts: c.restarts,
        })),
      };
    });
    log.info(`metrics on ${metrics.url}/metrics`);
  }
  log.info(`capturing on ${source.name}`);
  const started = Date.now();
  const expiry = startLiveExpiry(probe);
  let code = 0;
  try {
    await source.run(probe);
  } catch (e) {
    if (!(e instanceof FlowtapError)) throw e;
    log.error(e.message);
    code = 1;
  } finally {
    expiry.stop();
    clearInterval(flusher);
  }
  const open = probe.table.count;
  probe.finish();
  await sink.close();
  await metrics?.close();
  const s = probe.summary();
  const seconds = (Date.now() - started) / 1000;
  const capture = source.captureStats();
  if (opts.statsJson) {
    process.stderr.write(JSON.stringify({ input: source.name, seconds, ...s, flows_open_at_stop: open, capture }) + '\n');
  } else if (!opts.quiet) {
    log.info(`captured ${s.packets} packets (${s.bytes} bytes) on ${source.name} in ${seconds.toFixed(1)} s; flows: ${s.flows}; records: ${s.records} (${open} still open at the stop)`);
  }
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await log.close();
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`flowtap: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
