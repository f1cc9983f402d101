/**
 * Command-line parsing. ndff's flags keep their meaning (-i -f -s -p -t -m -q
 * -v -w -n -T), tcpdump's -r reads a capture file, and long options cover the
 * rest (configuration file, network sinks, spool, rotation, alerts). Every
 * mistake is one UsageError with a message naming the option; the CLI turns
 * it into exit code 2. CliOptions holds every setting with its default, and
 * `given` says which flags were actually typed, so a configuration file
 * (-c) keeps whatever the flags do not mention (overrides.ts). Parsing reads
 * no files: secrets are only named here (*-file options, environment
 * variables) and read by sinks.ts; a secret never appears on the command line
 * (except --slack-webhook, whose help says to prefer the file or environment).
 */
import { UsageError } from '../util/errors';
import { DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUTS, FlowTimeouts } from '../flow/expiry';
import { parseDuration, parseSize } from '../config/units';
import type { AlertFlags } from '../detect/alerting';
import { parseLogLevel, type LogLevel } from '../util/log';
import { parseListen } from '../web/metrics';

export type OutputFormat = 'jsonl' | 'text';

/** ndff's fluentd flags and flowtap's additions. */
export interface FluentdFlags {
  host: string;
  port: number;
  tag: string;
  /** ndff's -m: the event encoding. */
  mode: 'msgpack' | 'json';
  tls: boolean;
  sharedKeyFile?: string;
}

export interface RotateFlags {
  /** 0: no size limit. */
  maxBytes: number;
  /** 0: no time limit. */
  intervalMs: number;
  /** 0: keep every rotated file. */
  keep: number;
}

/** The fluentd flags actually given (-s -p -t -m --fluentd-tls --fluentd-shared-key-file). */
export type FluentdChanges = Partial<FluentdFlags>;

export interface CliOptions {
  /** -c: the YAML configuration file. */
  config?: string;
  /** --print-config: print the merged configuration and exit. */
  printConfig: boolean;
  /** Long names of the options given on the command line ("read", "fluentd-port", ...). */
  given: ReadonlySet<string>;
  /** The timeouts --timeout named. */
  timeoutsGiven: (keyof FlowTimeouts)[];
  inputs: string[];
  filter?: string;
  format: OutputFormat;
  /** 0 default; 1 text lines for unknown flows; 2 text lines for all flows. */
  verbose: number;
  quiet: boolean;
  outFile?: string;
  threads: number;
  tunnels: boolean;
  /** Application detection (DPI) on. */
  dpi: boolean;
  /** Directory of extra host/IP lists (see src/dpi/lists/README.md). */
  listsDir?: string;
  timeouts: FlowTimeouts;
  maxFlows: number;
  /** -s and the other fluentd flags, with their defaults (only when -s is given). */
  fluentd?: FluentdFlags;
  /** The fluentd flags given, without defaults (with -c they may change the file's fluentd output without -s). */
  fluentdChanges: FluentdChanges;
  /** Elasticsearch/OpenSearch base URLs (--elasticsearch, repeatable). */
  elasticsearch: string[];
  esUser?: string;
  esPasswordFile?: string;
  esApiKeyFile?: string;
  /** ClickHouse HTTP URLs (--clickhouse, repeatable). */
  clickhouse: string[];
  clickhouseUser?: string;
  clickhousePasswordFile?: string;
  /** IPFIX / NetFlow v9 collectors as udp://host:port (repeatable). */
  ipfix: string[];
  netflow9: string[];
  spoolDir?: string;
  /** Disk spool size per network sink, in bytes. */
  bufferSize?: number;
  /** How long the end of the run waits for network sinks to deliver (ms). */
  drainTimeoutMs: number;
  rotate?: RotateFlags;
  statsJson: boolean;
  /** Exit 1 when a capture's last record is cut short (default: a warning). */
  strict: boolean;
  /** The names given with -i / --interface (also in `inputs`): network interfaces, or capture files as with -r. */
  interfaceNames: string[];
  /** Live capture: --snaplen (bytes kept per packet), --no-promisc (false), --capture-buffer (bytes per interface). */
  snaplen?: number;
  promisc: boolean;
  captureBuffer?: number;
  /** --metrics-listen: where the /metrics and /healthz endpoint listens. */
  metricsListen?: { host: string; port: number };
  /** --log-level, --log-syslog. */
  logLevel?: LogLevel;
  logSyslog: boolean;
  /** --alerts, --scan-threshold, --sweep-threshold, --alert-window, --slack-webhook, --syslog, --alert-webhook. */
  alertFlags: AlertFlags;
  help: boolean;
  version: boolean;
}

interface Spec {
  short?: string;
  long: string;
  arg?: string;
  help: string;
}

/** The options, in the order --help lists them. */
export const OPTIONS: readonly Spec[] = [
  { short: 'c', long: 'config', arg: 'file', help: 'Read settings from this YAML configuration file (docs/config.md); flags given on the command line override it.' },
  { long: 'print-config', help: 'Print the configuration flowtap would use (file, defaults and flags merged; secrets hidden) and exit.' },
  { short: 'r', long: 'read', arg: 'file', help: 'Read packets from a pcap/pcapng file (gzip allowed), "-" for standard input, or a playlist (one capture per line, # comments). Several inputs: comma-separated.' },
  { short: 'i', long: 'interface', arg: 'device|file|list', help: 'Capture live from network interface(s) (comma-separated, `any` for all), or read a capture file/playlist as -r.' },
  { short: 'f', long: 'filter', arg: 'bpf', help: 'BPF filter expression (tcpdump syntax), applied to every packet read. Needs tcpdump installed (it compiles the expression).' },
  { long: 'format', arg: 'jsonl|text', help: 'Record format: JSON Lines (default) or ndff text lines.' },
  { short: 'w', long: 'write', arg: 'file', help: 'Write flow records to this file instead of standard output ("-": standard output, also when network sinks are given).' },
  { long: 'rotate-size', arg: 'size', help: 'Start a new -w file once it holds this much (e.g. 100M, 1G; K/M/G are 1024-based). The finished file is renamed <file>.<UTC start time YYYYMMDDTHHMMSSZ>.' },
  { long: 'rotate-interval', arg: 'duration', help: 'Start a new -w file every interval (e.g. 15m, 1h, 1d; aligned to the UTC epoch) of record time: the capture time of the records when reading files.' },
  { long: 'rotate-keep', arg: 'n', help: 'Keep only the newest n rotated files (default: keep all).' },
  { short: 'v', long: 'verbose', arg: '1|2', help: "ndff's text lines: 1 = flows with an unknown application only, 2 = every flow (implies --format text)." },
  { short: 'q', long: 'quiet', help: 'Print nothing but the records (no statistics on stderr).' },
  { long: 'stats-json', help: 'Print the end-of-run statistics on stderr as one JSON object.' },
  { short: 's', long: 'fluentd-host', arg: 'host', help: 'Send records to this fluentd server (forward protocol: PackedForward chunks with acks). Records then no longer go to standard output unless -w is given.' },
  { short: 'p', long: 'fluentd-port', arg: 'port', help: 'fluentd port (default 24224).' },
  { short: 't', long: 'fluentd-tag', arg: 'tag', help: 'fluentd tag (default ndpi.flow).' },
  { short: 'm', long: 'fluentd-mode', arg: 'msgpack|json', help: 'fluentd message encoding (default msgpack; json sends JSON events as ndff did).' },
  { long: 'fluentd-tls', help: 'Connect to fluentd over TLS (certificate checked against the system CAs and NODE_EXTRA_CA_CERTS).' },
  { long: 'fluentd-shared-key-file', arg: 'file', help: "File holding fluentd's shared key (<security> handshake); or set FLOWTAP_FLUENTD_SHARED_KEY." },
  { long: 'elasticsearch', arg: 'url', help: 'Send records to Elasticsearch/OpenSearch at this URL (_bulk into daily flowtap-YYYY.MM.DD indices). Repeatable.' },
  { long: 'es-user', arg: 'name', help: 'Elasticsearch user (basic auth); the password comes from FLOWTAP_ES_PASSWORD or --es-password-file.' },
  { long: 'es-password-file', arg: 'file', help: 'File holding the Elasticsearch password.' },
  { long: 'es-api-key-file', arg: 'file', help: 'File holding an Elasticsearch API key (or set FLOWTAP_ES_API_KEY).' },
  { long: 'clickhouse', arg: 'url', help: 'Insert records into ClickHouse over HTTP at this URL (table created if absent). Repeatable.' },
  { long: 'clickhouse-user', arg: 'name', help: 'ClickHouse user; the password comes from FLOWTAP_CLICKHOUSE_PASSWORD or --clickhouse-password-file.' },
  { long: 'clickhouse-password-file', arg: 'file', help: 'File holding the ClickHouse password.' },
  { long: 'ipfix', arg: 'udp://host:port', help: 'Export IPFIX (RFC 7011) to this collector (default port 4739). Repeatable.' },
  { long: 'netflow9', arg: 'udp://host:port', help: 'Export NetFlow v9 (RFC 3954) to this collector (default port 2055). Repeatable.' },
  { long: 'spool-dir', arg: 'dir', help: 'Where network sinks keep records they could not deliver yet, one directory per destination (default: /var/lib/flowtap/spool as root, else $XDG_STATE_HOME/flowtap/spool or ~/.local/state/flowtap/spool). Kept records are sent by the next run.' },
  { long: 'buffer-size', arg: 'size', help: 'Disk spool size per network sink (default 1G); records beyond it are dropped, counted, and the exit code is 4.' },
  { long: 'drain-timeout', arg: 'seconds', help: 'At the end, wait up to this long for network sinks to deliver what they hold (default 30); the rest is kept in the spool.' },
  { long: 'alerts', arg: 'file|-', help: 'Detect port scans, host sweeps, failed connections and the policy rules of the configuration file, and write every alert as a JSON line to this file ("-": standard output, which then needs -w for the records).' },
  { long: 'scan-threshold', arg: 'n', help: 'Port-scan alert: distinct destination ports from one source per window (default 100).' },
  { long: 'sweep-threshold', arg: 'n', help: 'Host-sweep alert: distinct destination hosts from one source per window (default 100).' },
  { long: 'alert-window', arg: 'seconds', help: 'Window the scan detectors count in (default 60).' },
  { long: 'slack-webhook', arg: 'url', help: 'Send alerts to this Slack incoming webhook. Prefer the configuration file (alerts.notify.slack) or webhook_url: ${env:FLOWTAP_SLACK_WEBHOOK}: a URL on the command line is visible to every user in ps.' },
  { long: 'syslog', arg: 'udp|tcp://host[:port]', help: 'Send alerts as RFC 5424 syslog messages to this server (default port 514).' },
  { long: 'alert-webhook', arg: 'url', help: 'POST every alert as JSON to this URL.' },
  { long: 'snaplen', arg: 'bytes', help: 'Live capture: bytes kept of each packet (64-262144, default 262144).' },
  { long: 'no-promisc', help: 'Live capture: do not put the interfaces in promiscuous mode.' },
  { long: 'capture-buffer', arg: 'size', help: 'Live capture: kernel capture buffer per interface (1M-2G, default 64M); raise it when the kernel drops packets.' },
  { long: 'metrics-listen', arg: 'addr', help: 'Serve /healthz and Prometheus /metrics at host:port, [v6]:port, :port (every address) or a port (127.0.0.1).' },
  { long: 'log-level', arg: 'level', help: 'Least severe message logged: error, warn, info (default) or debug.' },
  { long: 'log-syslog', help: 'Also log to the local syslog (/dev/log, facility daemon).' },
  { short: 'n', long: 'threads', arg: 'n', help: 'Packet-processing worker threads (1-64, default 1), for capture files and live capture: each owns the flows between a set of address pairs, with its own flow table and DPI state; records are written by one export thread, in no defined order across workers.' },
  { short: 'T', long: 'tunnels', help: 'Decapsulate tunnels (GTP-U, VXLAN, GRE/ERSPAN, IP-in-IP, 6in4, CAPWAP, TZSP). On by default; kept for ndff compatibility.' },
  { long: 'no-tunnels', help: 'Do not decapsulate tunnels: account the outer packets.' },
  { long: 'no-dpi', help: 'Turn application detection off: every record says Unknown (flow accounting only).' },
  { long: 'lists', arg: 'dir', help: 'Also load host-name and address lists from this directory (*.hosts, *.ips: "pattern<TAB>protocol" lines).' },
  { long: 'timeout', arg: 'name=seconds[,...]', help: `Flow timeouts in seconds: tcp-opening (${DEFAULT_TIMEOUTS.tcpOpening}), tcp (${DEFAULT_TIMEOUTS.tcp}), tcp-closed (${DEFAULT_TIMEOUTS.tcpClosed}), udp (${DEFAULT_TIMEOUTS.udp}), icmp (${DEFAULT_TIMEOUTS.icmp}), other (${DEFAULT_TIMEOUTS.other}), active (${DEFAULT_TIMEOUTS.active}).` },
  { long: 'max-flows', arg: 'n', help: `Most flows kept at once; beyond it the least recently active is exported early (default ${DEFAULT_MAX_FLOWS}).` },
  { long: 'strict', help: 'Exit with code 1 when a capture ends inside a packet record (by default that is a warning and the packets before it are used).' },
  { short: 'h', long: 'help', help: 'Show this help.' },
  { long: 'version', help: 'Print the version.' },
];

const TIMEOUT_NAMES: Record<string, keyof FlowTimeouts> = {
  'tcp-opening': 'tcpOpening',
  tcp: 'tcp',
  'tcp-closed': 'tcpClosed',
  udp: 'udp',
  icmp: 'icmp',
  other: 'other',
  active: 'active',
};

function intArg(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: expected a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${name}: ${n} is out of range (${min}-${max})`);
  return n;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const given = new Set<string>();
  const o: CliOptions = {
    printConfig: false,
    given,
    timeoutsGiven: [],
    fluentdChanges: {},
    alertFlags: {},
    inputs: [],
    format: 'jsonl',
    verbose: 0,
    quiet: false,
    threads: 1,
    tunnels: true,
    dpi: true,
    timeouts: { ...DEFAULT_TIMEOUTS },
    maxFlows: DEFAULT_MAX_FLOWS,
    elasticsearch: [],
    clickhouse: [],
    ipfix: [],
    netflow9: [],
    drainTimeoutMs: 30_000,
    statsJson: false,
    strict: false,
    interfaceNames: [],
    promisc: true,
    logSyslog: false,
    help: false,
    version: false,
  };
  let formatGiven = false;
  let host: string | undefined;
  let port = 24224;
  let tag = 'ndpi.flow';
  let mode: 'msgpack' | 'json' = 'msgpack';
  let fluentFlag = '';
  let fluentTls = false;
  let sharedKeyFile: string | undefined;
  const rotate: RotateFlags = { maxBytes: 0, intervalMs: 0, keep: 0 };
  let rotateFlag = '';
  let keepFlag = '';

  argv = expandShortFlags(argv);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let spec: Spec | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      spec = OPTIONS.find((s) => s.long === name);
      if (!spec) throw new UsageError(`unknown option '--${name}'; see flowtap --help`);
      if (eq >= 0) {
        if (!spec.arg) throw new UsageError(`option '--${name}' takes no value`);
        value = a.slice(eq + 1);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      const letter = a[1];
      spec = OPTIONS.find((s) => s.short === letter);
      if (!spec) throw new UsageError(`unknown option '-${letter}'; see flowtap --help`);
      if (a.length > 2) {
        if (!spec.arg) throw new UsageError(`option '-${letter}' takes no value (got '${a}')`);
        value = a.slice(2);
      }
    } else {
      throw new UsageError(`unexpected argument '${a}'; inputs are given with -r <file>`);
    }
    const flag = a.startsWith('--') ? `--${spec.long}` : `-${spec.short}`;
    if (spec.arg && value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option '${flag}' needs a value (${spec.arg})`);
      value = argv[++i];
    }
    const v = value ?? '';
    given.add(spec.long);
    switch (spec.long) {
      case 'config':
        o.config = fileArg(flag, v);
        break;
      case 'print-config':
        o.printConfig = true;
        break;
      case 'alerts':
        o.alertFlags.alerts = fileArg(flag, v);
        break;
      case 'scan-threshold':
        o.alertFlags.scanThreshold = intArg(flag, v, 2, 5000);
        break;
      case 'sweep-threshold':
        o.alertFlags.sweepThreshold = intArg(flag, v, 2, 5000);
        break;
      case 'alert-window': {
        const ms = parseDuration(v);
        if (ms === undefined || ms < 1000 || ms > 3_600_000) throw new UsageError(`${flag}: expected seconds from 1 to 3600 (e.g. 60 or 5m), got '${v}'`);
        o.alertFlags.alertWindowSeconds = ms / 1000;
        break;
      }
      case 'slack-webhook':
        o.alertFlags.slackWebhook = v;
        break;
      case 'syslog':
        o.alertFlags.syslog = v;
        break;
      case 'alert-webhook':
        o.alertFlags.webhook = v;
        break;
      case 'read':
      case 'interface':
        for (const part of v.split(',')) {
          if (part === '') throw new UsageError(`${flag}: empty input name in '${v}'`);
          o.inputs.push(part);
          if (spec.long === 'interface') o.interfaceNames.push(part);
        }
        break;
      case 'snaplen':
        o.snaplen = intArg(flag, v, 64, 262144);
        break;
      case 'no-promisc':
        o.promisc = false;
        break;
      case 'capture-buffer': {
        const n = sizeArg(flag, v);
        if (n < 1024 * 1024 || n > 2 * 1024 * 1024 * 1024) throw new UsageError(`${flag}: expected a size from 1M to 2G, got '${v}'`);
        o.captureBuffer = n;
        break;
      }
      case 'metrics-listen':
        try {
          o.metricsListen = parseListen(v);
        } catch {
          throw new UsageError(`${flag}: expected host:port, [v6]:port, :port or a port (e.g. 127.0.0.1:9273), got '${v}'`);
        }
        break;
      case 'log-level':
        o.logLevel = parseLogLevel(v, flag);
        break;
      case 'log-syslog':
        o.logSyslog = true;
        break;
      case 'filter':
        if (v.trim() === '') throw new UsageError(`${flag}: empty filter expression`);
        o.filter = v;
        break;
      case 'format':
        if (v !== 'jsonl' && v !== 'text') throw new UsageError(`--format: expected jsonl or text, got '${v}'`);
        o.format = v;
        formatGiven = true;
        break;
      case 'write':
        if (v === '') throw new UsageError(`${flag}: empty file name`);
        o.outFile = v;
        break;
      case 'verbose':
        o.verbose = intArg(flag, v, 0, 2);
        break;
      case 'quiet':
        o.quiet = true;
        break;
      case 'stats-json':
        o.statsJson = true;
        break;
      case 'fluentd-host':
        if (v === '' || /\s/.test(v)) throw new UsageError(`${flag}: invalid host '${v}'`);
        host = v;
        break;
      case 'fluentd-port':
        port = intArg(flag, v, 1, 65535);
        fluentFlag ||= flag;
        break;
      case 'fluentd-tag':
        if (!/^[A-Za-z0-9_.\-]+$/.test(v)) throw new UsageError(`${flag}: invalid fluentd tag '${v}' (letters, digits, '.', '_', '-')`);
        tag = v;
        fluentFlag ||= flag;
        break;
      case 'fluentd-mode':
        if (v !== 'msgpack' && v !== 'json') throw new UsageError(`${flag}: expected msgpack or json, got '${v}'`);
        mode = v;
        fluentFlag ||= flag;
        break;
      case 'fluentd-tls':
        fluentTls = true;
        fluentFlag ||= flag;
        break;
      case 'fluentd-shared-key-file':
        sharedKeyFile = fileArg(flag, v);
        fluentFlag ||= flag;
        break;
      case 'elasticsearch':
        o.elasticsearch.push(urlArg(flag, v, ['http:', 'https:'], '--es-user and FLOWTAP_ES_PASSWORD or --es-password-file'));
        break;
      case 'es-user':
        if (v === '' || /[\s:]/.test(v)) throw new UsageError(`${flag}: invalid user name '${v}'`);
        o.esUser = v;
        break;
      case 'es-password-file':
        o.esPasswordFile = fileArg(flag, v);
        break;
      case 'es-api-key-file':
        o.esApiKeyFile = fileArg(flag, v);
        break;
      case 'clickhouse':
        o.clickhouse.push(urlArg(flag, v, ['http:', 'https:'], '--clickhouse-user and FLOWTAP_CLICKHOUSE_PASSWORD or --clickhouse-password-file'));
        break;
      case 'clickhouse-user':
        if (v === '' || /[\s:]/.test(v)) throw new UsageError(`${flag}: invalid user name '${v}'`);
        o.clickhouseUser = v;
        break;
      case 'clickhouse-password-file':
        o.clickhousePasswordFile = fileArg(flag, v);
        break;
      case 'ipfix':
        o.ipfix.push(udpArg(flag, v, 4739));
        break;
      case 'netflow9':
        o.netflow9.push(udpArg(flag, v, 2055));
        break;
      case 'spool-dir':
        o.spoolDir = fileArg(flag, v);
        break;
      case 'buffer-size':
        o.bufferSize = sizeArg(flag, v);
        if (o.bufferSize < 65536) throw new UsageError(`${flag}: ${v} is too small (at least 64K)`);
        break;
      case 'drain-timeout': {
        const ms = parseDuration(v);
        if (ms === undefined || ms > 86_400_000) throw new UsageError(`${flag}: expected seconds (0-86400, e.g. 30 or 2m), got '${v}'`);
        o.drainTimeoutMs = ms;
        break;
      }
      case 'rotate-size':
        rotate.maxBytes = sizeArg(flag, v);
        if (rotate.maxBytes === 0) throw new UsageError(`${flag}: the size must be more than 0`);
        rotateFlag ||= flag;
        break;
      case 'rotate-interval': {
        const ms = parseDuration(v);
        if (ms === undefined || ms < 1000 || ms > 366 * 86_400_000) throw new UsageError(`${flag}: expected a duration from 1s to 366d (e.g. 15m, 1h, 1d), got '${v}'`);
        rotate.intervalMs = ms;
        rotateFlag ||= flag;
        break;
      }
      case 'rotate-keep':
        rotate.keep = intArg(flag, v, 1, 1_000_000);
        keepFlag = flag;
        break;
      case 'threads':
        o.threads = intArg(flag, v, 1, 64);
        break;
      case 'tunnels':
        o.tunnels = true;
        break;
      case 'no-tunnels':
        o.tunnels = false;
        break;
      case 'no-dpi':
        o.dpi = false;
        break;
      case 'lists':
        o.listsDir = v;
        break;
      case 'timeout':
        for (const item of v.split(',')) {
          const m = /^([a-z-]+)=(\d+)$/.exec(item.trim());
          if (!m || !(m[1] in TIMEOUT_NAMES)) {
            throw new UsageError(`--timeout: expected name=seconds with name one of ${Object.keys(TIMEOUT_NAMES).join(', ')}; got '${item}'`);
          }
          const name = TIMEOUT_NAMES[m[1]];
          o.timeouts[name] = intArg(`--timeout ${m[1]}`, m[2], 1, 7 * 86400);
          if (!o.timeoutsGiven.includes(name)) o.timeoutsGiven.push(name);
        }
        break;
      case 'max-flows':
        o.maxFlows = intArg(flag, v, 16, 1 << 26);
        break;
      case 'strict':
        o.strict = true;
        break;
      case 'help':
        o.help = true;
        break;
      case 'version':
        o.version = true;
        break;
    }
  }
  if (o.verbose > 0 && !formatGiven) o.format = 'text';
  const fc = o.fluentdChanges;
  if (host !== undefined) fc.host = host;
  if (given.has('fluentd-port')) fc.port = port;
  if (given.has('fluentd-tag')) fc.tag = tag;
  if (given.has('fluentd-mode')) fc.mode = mode;
  if (fluentTls) fc.tls = true;
  if (sharedKeyFile !== undefined) fc.sharedKeyFile = sharedKeyFile;
  if (host !== undefined) {
    o.fluentd = { host, port, tag, mode, tls: fluentTls };
    if (sharedKeyFile !== undefined) o.fluentd.sharedKeyFile = sharedKeyFile;
  } else if (fluentFlag && o.config === undefined) throw new UsageError(`${fluentFlag} needs a fluentd server given with -s <host> (or a fluentd output in the configuration file, -c)`);
  if ((o.esUser !== undefined || o.esPasswordFile !== undefined || o.esApiKeyFile !== undefined) && o.elasticsearch.length === 0) {
    throw new UsageError(`${o.esUser !== undefined ? '--es-user' : o.esPasswordFile !== undefined ? '--es-password-file' : '--es-api-key-file'} needs an Elasticsearch server given with --elasticsearch <url>`);
  }
  if ((o.clickhouseUser !== undefined || o.clickhousePasswordFile !== undefined) && o.clickhouse.length === 0) {
    throw new UsageError(`${o.clickhouseUser !== undefined ? '--clickhouse-user' : '--clickhouse-password-file'} needs a ClickHouse server given with --clickhouse <url>`);
  }
  if (rotateFlag) {
    if (o.outFile === undefined || o.outFile === '-') throw new UsageError(`${rotateFlag} needs an output file given with -w <file>`);
    if (o.format !== 'jsonl') throw new UsageError(`${rotateFlag}: rotation is for JSON Lines output (--format jsonl), not text lines`);
    o.rotate = rotate;
  } else if (keepFlag) throw new UsageError(`${keepFlag} needs --rotate-size or --rotate-interval`);
  // With -c the inputs may come from the file: the CLI checks them after merging.
  if (!o.help && !o.version && !o.printConfig && o.config === undefined && o.inputs.length === 0) throw new UsageError(NO_INPUT);
  return o;
}

export const NO_INPUT = 'no input: give a capture file with -r <file> or network interfaces with -i <if>[,<if>] (or input.read or input.interface in the configuration file); see flowtap --help';

function fileArg(flag: string, v: string): string {
  if (v === '') throw new UsageError(`${flag}: empty file name`);
  return v;
}

function sizeArg(flag: string, v: string): number {
  const n = parseSize(v);
  if (n === undefined) throw new UsageError(`${flag}: expected a size such as 500M or 2G, got '${v}'`);
  return n;
}

/** An http(s) URL without credentials (they would be visible to every user of the machine). */
function urlArg(flag: string, v: string, protocols: readonly string[], credentials: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`${flag}: '${v}' is not a URL (expected ${protocols[0]}//host:port)`);
  }
  if (u.username !== '' || u.password !== '') throw new UsageError(`${flag}: credentials do not go in the URL (the command line is visible to every user); use ${credentials}`);
  if (!protocols.includes(u.protocol)) throw new UsageError(`${flag}: '${v}' must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  if (u.hostname === '') throw new UsageError(`${flag}: '${v}' names no host`);
  return v;
}

/** udp://host[:port] with the port defaulted. */
function udpArg(flag: string, v: string, defaultPort: number): string {
  let u: URL;
  try {
    u = new URL(v.includes('://') ? v : `udp://${v}`);
  } catch {
    throw new UsageError(`${flag}: '${v}' is not udp://host:port`);
  }
  if (u.protocol !== 'udp:') throw new UsageError(`${flag}: '${v}' must start with udp:// (only UDP export is supported)`);
  if (u.hostname === '' || (u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.username !== '') throw new UsageError(`${flag}: '${v}' is not udp://host:port`);
  return `udp://${u.host}${u.port === '' ? `:${defaultPort}` : ''}`;
}

/** getopt-style bundles of flags without values: "-qT" → "-q", "-T". */
function expandShortFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const first = OPTIONS.find((s) => s.short === a[1]);
    if (a.length > 2 && a[0] === '-' && a[1] !== '-' && first && !first.arg &&
        [...a.slice(1)].every((c) => OPTIONS.some((s) => s.short === c && !s.arg))) {
      for (const c of a.slice(1)) out.push(`-${c}`);
    } else {
      out.push(a);
      const spec = a.length === 2 && a[0] === '-' ? OPTIONS.find((s) => s.short === a[1]) : undefined;
      if (spec?.arg && i + 1 < argv.length) out.push(argv[++i]);
    }
  }
  return out;
}

export function helpText(): string {
  const lines = [
    'flowtap - network traffic probe: live capture or capture files to bidirectional flow records',
    '',
    'Usage: flowtap -r <file.pcap|file.pcapng|file.gz|-|playlist> [options]',
    '       flowtap -i <interface>[,<interface>...] [options]     (live capture: root or CAP_NET_RAW)',
    '       flowtap -c flowtap.yaml [options]',
    '',
    'Options:',
  ];
  for (const s of OPTIONS) {
    const name = (s.short ? `-${s.short}, ` : '    ') + `--${s.long}` + (s.arg ? ` <${s.arg}>` : '');
    lines.push(`  ${name}`);
    lines.push(`        ${s.help}`);
  }
  lines.push(
    '',
    'Output: one record per flow (JSON Lines by default; fields in docs/schema.md), on',
    'standard output or the -w file. With network sinks (-s, --elasticsearch, --clickhouse,',
    '--ipfix, --netflow9; several at once) JSON Lines go only where -w says (-w - for',
    'standard output); text lines (-v, --format text) are still printed. A sink that',
    'cannot deliver keeps records in memory, then in its spool (--spool-dir), and sends',
    'them when the destination is back, or in the next run.',
    'SIGINT/SIGTERM: stop reading, export the flows still open, deliver or spool every',
    'record (up to --drain-timeout), exit as below; a second signal stops waiting and',
    'spools what is pending at once.',
    'SIGHUP: reload the --lists directory (a list with a mistake keeps the old lists).',
    'Exit codes: 0 success; 1 an input could not be read completely (missing, not a',
    'capture, corrupt: the message names the file and byte offset, and the flows read up',
    'to there are still written); 2 bad command line; 3 the output could not be written;',
    '4 a network sink dropped records because its spool was full (--buffer-size).',
    'Live capture exits 2 for a missing interface or a bad -f filter, 1 when it may not',
    'capture (no permission) or the capture fails.',
    'A worker thread that fails (-n) exits 1, after the other workers exported their flows.',
    'Records kept in a spool for the next run count as success (the summary says so).',
    'A configuration file with a mistake exits 2, naming file:line:column of each one.',
    'A capture whose last record is cut short is a warning (exit 0) unless --strict.',
  );
  return lines.join('\n');
}
