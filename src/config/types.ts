/**
 * The configuration as the program uses it: camelCase, every default
 * applied, sizes in bytes, durations in milliseconds (flow timeouts in
 * seconds, as FlowTimeouts), paths absolute (relative ones in the file are
 * relative to the file's directory), certificates read, secrets wrapped in
 * Secret. docs/config.md describes each key; sections.ts declares them.
 */
import type { FlowTimeouts } from '../flow/expiry';
import type { PemFile } from './scalars';
import type { Secret } from './secrets';

export type RecordFormat = 'jsonl' | 'text';

export interface InputConfig {
  /** Capture files, playlists, "-" for standard input. */
  read: string[];
  /** Network interfaces for live capture. */
  interface: string[];
  /** BPF filter expression (tcpdump syntax). */
  filter?: string;
  snaplen: number;
  promiscuous: boolean;
  /** Capture buffer in bytes. */
  bufferSize: number;
  /** Decapsulate tunnels (-T / --no-tunnels). */
  tunnels: boolean;
  /** A capture cut short is an error (exit 1), not a warning (--strict). */
  strict: boolean;
}

export interface DpiConfig {
  enabled: boolean;
  /** Directory of extra host/IP lists (--lists). */
  lists?: string;
}

export interface FlowsConfig {
  timeouts: FlowTimeouts;
  maxFlows: number;
}

export interface TlsConfig {
  ca?: PemFile;
  cert?: PemFile;
  key?: Secret<Buffer>;
  /** Verify the server's certificate (false: accept any; not for production). */
  verify: boolean;
  /** Name expected in the server's certificate (SNI) when it differs from the host. */
  servername?: string;
}

interface OutputBase {
  /** Name in messages and metrics: the `name` key, or the output's place ("fluentd", "fluentd[1]"). */
  name: string;
}

export interface StdoutOutput extends OutputBase {
  type: 'stdout';
  format: RecordFormat;
  /** Text format only: just the flows whose application is unknown (-v 1). */
  unknownOnly: boolean;
}

export interface FileOutput extends OutputBase {
  type: 'file';
  path: string;
  format: RecordFormat;
  unknownOnly: boolean;
  /** Start a new file when the current one reaches this many bytes. */
  rotateSize?: number;
  /** Start a new file this often (ms). */
  rotateIntervalMs?: number;
  /** Rotated files kept, older ones deleted; 0: keep all. */
  keep: number;
}

export type FluentdEncoding = 'msgpack' | 'json';
/** Forward protocol modes: Message, Forward, PackedForward, CompressedPackedForward (gzip). */
export type FluentdMode = 'message' | 'forward' | 'packed' | 'compressed';

export interface FluentdOutput extends OutputBase {
  type: 'fluentd';
  host: string;
  port: number;
  tag: string;
  encoding: FluentdEncoding;
  mode: FluentdMode;
  ack: boolean;
  /** Times as EventTime (nanoseconds, msgpack only) rather than whole seconds. */
  eventTime: boolean;
  tls?: TlsConfig;
  sharedKey?: Secret;
  selfHostname?: string;
  username?: string;
  password?: Secret;
  keepalive: boolean;
}

export interface ElasticsearchOutput extends OutputBase {
  type: 'elasticsearch';
  url: string;
  indexPrefix: string;
  username?: string;
  password?: Secret;
  apiKey?: Secret;
  tls?: TlsConfig;
  installTemplate: boolean;
}

export interface ClickHouseOutput extends OutputBase {
  type: 'clickhouse';
  url: string;
  database: string;
  table: string;
  username?: string;
  password?: Secret;
  tls?: Pick<TlsConfig, 'ca' | 'verify'>;
  createTable: boolean;
}

export interface IpfixOutput extends OutputBase {
  type: 'ipfix';
  /** udp://host:port (port 4739 when the file gave none). */
  url: string;
  observationDomain: number;
  mtu: number;
}

export interface Netflow9Output extends OutputBase {
  type: 'netflow9';
  /** udp://host:port (port 2055 when the file gave none). */
  url: string;
  sourceId: number;
  mtu: number;
}

export type OutputConfig =
  | StdoutOutput
  | FileOutput
  | FluentdOutput
  | ElasticsearchOutput
  | ClickHouseOutput
  | IpfixOutput
  | Netflow9Output;

export type OutputType = OutputConfig['type'];

export interface BufferConfig {
  /** Absent: the CLI's default (/var/lib/flowtap/spool as root, else the XDG state directory). */
  spoolDir?: string;
  /** Disk spool limit per network output, in bytes. */
  maxSize: number;
  /** Records each network output keeps in memory before spilling to its spool. */
  memoryRecords: number;
  /** How long to keep delivering at exit (ms). */
  drainTimeoutMs: number;
}

export interface MetricsConfig {
  /** Where the Prometheus endpoint listens; absent: no endpoint. */
  listen?: { host: string; port: number };
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogConfig {
  level: LogLevel;
  syslog: boolean;
  /** End-of-run statistics on stderr: text (default), json (--stats-json), off (-q). */
  stats: 'text' | 'json' | 'off';
}

/** The sections, as data. */
export interface ConfigData {
  input: InputConfig;
  dpi: DpiConfig;
  flows: FlowsConfig;
  workers: number;
  /** In file order (by type, then list order); never empty (default: stdout, jsonl). */
  outputs: OutputConfig[];
  buffer: BufferConfig;
  metrics: MetricsConfig;
  log: LogConfig;
  /** The alerts section untouched (plain JavaScript), checked by the alerts module. */
  alerts?: Record<string, unknown>;
}

export interface FlowtapConfig extends ConfigData {
  /** The configuration in its file form with every secret hidden (for --print-config and logs). */
  redacted(): Record<string, unknown>;
  /** Same as redacted(): JSON.stringify never shows a secret. */
  toJSON(): Record<string, unknown>;
  /**
   * "file:line:col" of a key path in the file it came from (e.g. ['alerts', 'rules', 0]),
   * so later checks (the alerts module) can word their messages the same way;
   * undefined when the path is not in the file.
   */
  where(path: readonly (string | number)[]): string | undefined;
  /** The file it was loaded from, as given; undefined for defaults. */
  readonly file?: string;
}
