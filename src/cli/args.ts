/**
 * Command-line parsing. ndff's flags keep their meaning (-i -f -s -p -t -m -q
 * -v -w -n -T), tcpdump's -r reads a capture file, and long options cover the
 * rest. Every mistake is one UsageError with a message naming the option;
 * the CLI turns it into exit code 2.
 */
import { UsageError } from '../util/errors';
import { DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUTS, FlowTimeouts } from '../flow/expiry';

export type OutputFormat = 'jsonl' | 'text';

export interface CliOptions {
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
  fluentd?: { host: string; port: number; tag: string; mode: 'msgpack' | 'json' };
  statsJson: boolean;
  /** Exit 1 when a capture's last record is cut short (default: a warning). */
  strict: boolean;
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
  { short: 'r', long: 'read', arg: 'file', help: 'Read packets from a pcap/pcapng file (gzip allowed), "-" for standard input, or a playlist (one capture per line, # comments). Several inputs: comma-separated.' },
  { short: 'i', long: 'interface', arg: 'file|device|list', help: "ndff's input flag: a capture file, playlist or comma-separated list, as -r. (Live capture from a device comes in a later release.)" },
  { short: 'f', long: 'filter', arg: 'bpf', help: 'BPF filter expression (tcpdump syntax), applied to every packet read. Needs tcpdump installed (it compiles the expression).' },
  { long: 'format', arg: 'jsonl|text', help: 'Record format: JSON Lines (default) or ndff text lines.' },
  { short: 'w', long: 'write', arg: 'file', help: 'Write flow records to this file instead of standard output.' },
  { short: 'v', long: 'verbose', arg: '1|2', help: "ndff's text lines: 1 = flows with an unknown application only, 2 = every flow (implies --format text)." },
  { short: 'q', long: 'quiet', help: 'Print nothing but the records (no statistics on stderr).' },
  { long: 'stats-json', help: 'Print the end-of-run statistics on stderr as one JSON object.' },
  { short: 's', long: 'fluentd-host', arg: 'host', help: 'fluentd server to send records to (forward protocol).' },
  { short: 'p', long: 'fluentd-port', arg: 'port', help: 'fluentd port (default 24224).' },
  { short: 't', long: 'fluentd-tag', arg: 'tag', help: 'fluentd tag (default ndpi.flow).' },
  { short: 'm', long: 'fluentd-mode', arg: 'msgpack|json', help: 'fluentd message encoding (default msgpack).' },
  { short: 'n', long: 'threads', arg: 'n', help: 'Worker threads (1-64). As in ndff, ignored when reading capture files.' },
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
  const o: CliOptions = {
    inputs: [],
    format: 'jsonl',
    verbose: 0,
    quiet: false,
    threads: 1,
    tunnels: true,
    dpi: true,
    timeouts: { ...DEFAULT_TIMEOUTS },
    maxFlows: DEFAULT_MAX_FLOWS,
    statsJson: false,
    strict: false,
    help: false,
    version: false,
  };
  let formatGiven = false;
  let host: string | undefined;
  let port = 24224;
  let tag = 'ndpi.flow';
  let mode: 'msgpack' | 'json' = 'msgpack';
  let fluentFlag = '';

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
    switch (spec.long) {
      case 'read':
      case 'interface':
        for (const part of v.split(',')) {
          if (part === '') throw new UsageError(`${flag}: empty input name in '${v}'`);
          o.inputs.push(part);
        }
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
          o.timeouts[TIMEOUT_NAMES[m[1]]] = intArg(`--timeout ${m[1]}`, m[2], 1, 7 * 86400);
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
  if (host !== undefined) o.fluentd = { host, port, tag, mode };
  else if (fluentFlag) throw new UsageError(`${fluentFlag} needs a fluentd server given with -s <host>`);
  if (!o.help && !o.version && o.inputs.length === 0) throw new UsageError('no input: give a capture file with -r <file> (or -i, as in ndff); see flowtap --help');
  return o;
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
    'flowtap - network traffic probe: capture files to bidirectional flow records',
    '',
    'Usage: flowtap -r <file.pcap|file.pcapng|file.gz|-|playlist> [options]',
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
    'Output: one record per flow (JSON Lines by default; fields in docs/schema.md).',
    'Exit codes: 0 success; 1 an input could not be read completely (missing, not a',
    'capture, corrupt: the message names the file and byte offset, and the flows read up',
    'to there are still written); 2 bad command line; 3 the output could not be written.',
    'A capture whose last record is cut short is a warning (exit 0) unless --strict.',
  );
  return lines.join('\n');
}
