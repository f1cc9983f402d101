/**
 * Command-line flags over a configuration file: the flags a user typed win,
 * key by key; what they do not mention comes from the file (docs/config.md,
 * "Command line and file"). The CLI fills CliOverrides with only the flags
 * actually given (no defaults), so mergeCli can tell "not given" apart.
 * As in ndff, network outputs given by flags take the records off standard
 * output when the file names no outputs and no -w is given (JSON Lines go
 * where -w says; text lines are still printed).
 */
import type { FlowTimeouts } from '../flow/expiry';
import { UsageError } from '../util/errors';
import { finish } from './load';
import type { Secret } from './secrets';
import type { FlowtapConfig, FluentdEncoding, FluentdOutput, LogLevel, OutputConfig, RecordFormat } from './types';

export interface CliOverrides {
  /** -r / -i: replace input.read and input.interface (with `interfaces`). */
  inputs?: string[];
  /** The -i names that are network interfaces (live capture): input.interface. */
  interfaces?: string[];
  /** --snaplen, --no-promisc (false), --capture-buffer (bytes): input.snaplen, input.promiscuous, input.buffer_size. */
  snaplen?: number;
  promiscuous?: boolean;
  captureBuffer?: number;
  /** --metrics-listen: metrics.listen. */
  metricsListen?: { host: string; port: number };
  /** --log-level, --log-syslog: log.level, log.syslog. */
  logLevel?: LogLevel;
  logSyslog?: boolean;
  /** -f */
  filter?: string;
  /** --format (or text implied by -v): the stdout output's format (-w: the file's). */
  format?: RecordFormat;
  /** -v 1 → true, -v 2 → false (text format only). */
  unknownOnly?: boolean;
  /** -w: records to this file instead of the file's stdout and file outputs. */
  outFile?: string;
  /** --rotate-size / --rotate-interval / --rotate-keep: rotation of the -w file (only with outFile). */
  rotate?: { size?: number; intervalMs?: number; keep?: number };
  /** -q: no statistics (log.stats off). */
  quiet?: boolean;
  /** --stats-json: log.stats json. */
  statsJson?: boolean;
  /** -s / -p / -t / -m (encoding) / --fluentd-tls / --fluentd-shared-key-file (the key, read by the CLI). */
  fluentd?: { host?: string; port?: number; tag?: string; encoding?: FluentdEncoding; tls?: boolean; sharedKey?: Secret };
  /** --elasticsearch (one output per URL, added to the file's) with --es-user and the password or API key the CLI read. */
  elasticsearch?: { urls: string[]; username?: string; password?: Secret; apiKey?: Secret };
  /** --clickhouse (one output per URL, added) with --clickhouse-user and the password the CLI read. */
  clickhouse?: { urls: string[]; username?: string; password?: Secret };
  /** --ipfix / --netflow9 collectors (udp://host:port), added. */
  ipfix?: string[];
  netflow9?: string[];
  /** --spool-dir, --buffer-size (bytes), --drain-timeout (ms). */
  spoolDir?: string;
  bufferSize?: number;
  drainTimeoutMs?: number;
  /** -n */
  workers?: number;
  /** -T (true) / --no-tunnels (false) */
  tunnels?: boolean;
  /** --no-dpi (false) */
  dpi?: boolean;
  /** --lists */
  lists?: string;
  /** --timeout name=seconds,...: only the names given. */
  timeouts?: Partial<FlowTimeouts>;
  /** --max-flows */
  maxFlows?: number;
  /** --strict */
  strict?: boolean;
}

/** The configuration with the given flags applied (the argument is not changed). */
export function mergeCli(cfg: FlowtapConfig, o: CliOverrides): FlowtapConfig {
  const input = { ...cfg.input, read: [...cfg.input.read], interface: [...cfg.input.interface] };
  if (o.inputs !== undefined || o.interfaces !== undefined) {
    input.read = [...(o.inputs ?? [])];
    input.interface = [...(o.interfaces ?? [])];
  }
  if (o.snaplen !== undefined) input.snaplen = o.snaplen;
  if (o.promiscuous !== undefined) input.promiscuous = o.promiscuous;
  if (o.captureBuffer !== undefined) input.bufferSize = o.captureBuffer;
  if (o.filter !== undefined) input.filter = o.filter;
  if (o.tunnels !== undefined) input.tunnels = o.tunnels;
  if (o.strict !== undefined) input.strict = o.strict;

  const dpi = { ...cfg.dpi };
  if (o.dpi !== undefined) dpi.enabled = o.dpi;
  if (o.lists !== undefined) dpi.lists = o.lists;

  const flows = { timeouts: { ...cfg.flows.timeouts }, maxFlows: o.maxFlows ?? cfg.flows.maxFlows };
  for (const [k, v] of Object.entries(o.timeouts ?? {}) as [keyof FlowTimeouts, number | undefined][]) {
    if (v !== undefined) flows.timeouts[k] = v;
  }

  const log = { ...cfg.log };
  if (o.logLevel !== undefined) log.level = o.logLevel;
  if (o.logSyslog !== undefined) log.syslog = o.logSyslog;
  if (o.quiet) log.stats = 'off';
  else if (o.statsJson) log.stats = 'json';

  return finish({
    input,
    dpi,
    flows,
    workers: o.workers ?? cfg.workers,
    outputs: mergeOutputs(cfg.outputs, o, cfg.where(['outputs']) === undefined),
    buffer: {
      ...cfg.buffer,
      ...(o.spoolDir !== undefined ? { spoolDir: o.spoolDir } : {}),
      ...(o.bufferSize !== undefined ? { maxSize: o.bufferSize } : {}),
      ...(o.drainTimeoutMs !== undefined ? { drainTimeoutMs: o.drainTimeoutMs } : {}),
    },
    metrics: o.metricsListen !== undefined ? { ...cfg.metrics, listen: { ...o.metricsListen } } : { ...cfg.metrics },
    log,
    ...(cfg.alerts !== undefined ? { alerts: cfg.alerts } : {}),
  }, cfg.file, (path) => cfg.where(path));
}

const NETWORK: ReadonlySet<OutputConfig['type']> = new Set(['fluentd', 'elasticsearch', 'clickhouse', 'ipfix', 'netflow9']);

/** `implicitStdout`: the file gave no outputs, so its stdout output is only the default. */
function mergeOutputs(outputs: readonly OutputConfig[], o: CliOverrides, implicitStdout: boolean): OutputConfig[] {
  let outs = outputs.map((x) => ({ ...x })) as OutputConfig[];
  if (o.outFile !== undefined) {
    const format = o.format ?? 'jsonl';
    outs = outs.filter((x) => x.type !== 'stdout' && x.type !== 'file');
    outs.unshift({
      type: 'file', name: 'file', path: o.outFile, format, unknownOnly: format === 'text' && o.unknownOnly === true, keep: o.rotate?.keep ?? 0,
      ...(o.rotate?.size ? { rotateSize: o.rotate.size } : {}),
      ...(o.rotate?.intervalMs ? { rotateIntervalMs: o.rotate.intervalMs } : {}),
    });
  } else if (o.format !== undefined || o.unknownOnly !== undefined) {
    let std = outs.find((x) => x.type === 'stdout');
    if (!std) {
      std = { type: 'stdout', name: 'stdout', format: 'jsonl', unknownOnly: false };
      outs.unshift(std);
    }
    std.format = o.format ?? std.format;
    std.unknownOnly = std.format === 'text' && (o.unknownOnly ?? std.unknownOnly);
  }
  if (o.fluentd) outs = mergeFluentd(outs, o.fluentd);
  const add = (x: OutputConfig): void => {
    const base = `${x.type}-cli`;
    let name = base;
    for (let i = 2; outs.some((y) => y.name === name); i++) name = `${base}-${i}`;
    outs.push({ ...x, name });
  };
  for (const url of o.elasticsearch?.urls ?? []) {
    const e = o.elasticsearch;
    add({
      type: 'elasticsearch', name: '', url, indexPrefix: 'flowtap', installTemplate: true,
      ...(e?.username !== undefined ? { username: e.username } : {}),
      ...(e?.password ? { password: e.password } : {}),
      ...(e?.apiKey ? { apiKey: e.apiKey } : {}),
    });
  }
  for (const url of o.clickhouse?.urls ?? []) {
    const ch = o.clickhouse;
    const path = new URL(url).pathname.replace(/^\/+|\/+$/g, '');
    add({
      type: 'clickhouse', name: '', url, database: path || 'default', table: 'flows', createTable: true,
      ...(ch?.username !== undefined ? { username: ch.username } : {}),
      ...(ch?.password ? { password: ch.password } : {}),
    });
  }
  for (const url of o.ipfix ?? []) add({ type: 'ipfix', name: '', url, observationDomain: 1, mtu: 1400 });
  for (const url of o.netflow9 ?? []) add({ type: 'netflow9', name: '', url, sourceId: 1, mtu: 1400 });
  if (implicitStdout && o.outFile === undefined && outs.some((x) => NETWORK.has(x.type))) {
    outs = outs.filter((x) => !(x.type === 'stdout' && x.format === 'jsonl'));
  }
  return outs;
}

function mergeFluentd(outs: OutputConfig[], f: NonNullable<CliOverrides['fluentd']>): OutputConfig[] {
  const existing = outs.filter((x): x is FluentdOutput => x.type === 'fluentd');
  if (existing.length > 1) {
    throw new UsageError(`-s/-p/-t/-m change one fluentd output, but the configuration file has ${existing.length}: change them in the file`);
  }
  let target = existing[0];
  if (!target) {
    if (f.host === undefined) throw new UsageError('-p/-t/-m/--fluentd-tls/--fluentd-shared-key-file need a fluentd server: give -s <host> (or a fluentd output in the configuration file)');
    target = { type: 'fluentd', name: 'fluentd', host: f.host, port: 24224, tag: 'ndpi.flow', encoding: 'msgpack', mode: 'packed', ack: true, eventTime: true, keepalive: true };
    outs.push(target);
  }
  if (f.host !== undefined) target.host = f.host;
  if (f.port !== undefined) target.port = f.port;
  if (f.tag !== undefined) target.tag = f.tag;
  if (f.tls && !target.tls) target.tls = { verify: true };
  if (f.sharedKey) target.sharedKey = f.sharedKey;
  if (f.encoding !== undefined && f.encoding !== target.encoding) {
    target.encoding = f.encoding;
    if (f.encoding === 'json') {
      if (target.mode === 'packed' || target.mode === 'compressed') target.mode = 'forward';
      target.eventTime = false;
    } else {
      target.eventTime = true;
    }
  }
  if (target.encoding === 'json' && target.sharedKey) {
    throw new UsageError('-m json: fluentd authenticates only msgpack connections, and this fluentd output has a shared key');
  }
  return outs;
}
