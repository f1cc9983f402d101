/**
 * The `alerts:` section of flowtap's YAML configuration, validated into an
 * AlertsConfig: windows and thresholds of the scan detectors, the policy
 * rules (application, category, risk, host-name pattern, direction, origin,
 * service), and the notifiers (Slack, e-mail, syslog, webhook, JSON Lines).
 * docs/alerts.md documents every key; the alerts: section of
 * config/flowtap.example.yaml is a working example.
 *
 * parseAlertsConfig() reports every problem at once, each naming its key path
 * and, through the `where` callback given by the YAML loader, its file,
 * line and column. Protocol, category and risk names are nDPI's (as records
 * print them); they are matched without regard to case (risks also without
 * regard to spaces and punctuation). Secret values (webhook URLs, passwords,
 * header values) are never repeated in messages; each may be given in the
 * file, as ${env:NAME} / ${file:/path}, or (passwords, URLs) with a *_file key.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../util/errors';
import { CATEGORY_NAMES, PROTOCOL_NAMES, RISK_NAMES } from '../dpi/generated/protocols';
import { Cidr, CidrList, parseCidr } from './cidr';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Direction = 'outbound' | 'inbound' | 'internal' | 'external';
const DIRECTIONS: readonly Direction[] = ['outbound', 'inbound', 'internal', 'external'];

export const CONFIDENCES = ['unknown', 'dpi', 'port', 'ip', 'cache'] as const;
/** Confidences (indexes in CONFIDENCES) of labels seen in the traffic itself: dpi, ip, cache. */
export const OBSERVED_CONFIDENCE: readonly number[] = [1, 3, 4];

/** Placeholders every message template may use. */
export const COMMON_FIELDS = ['rule', 'severity', 'src_addr', 'count', 'flows', 'duration', 'window', 'apps', 'top_app'] as const;
/** Placeholders of scan-detector messages. */
export const SCAN_FIELDS = ['ports', 'hosts', 'failed', 'attempts', 'failed_pct', 'triggers'] as const;
/** Placeholders of policy-rule messages (from the first matching flow). */
export const POLICY_FIELDS = ['protocol_name', 'category', 'dst_addr', 'dst_port', 'server_name', 'risks', 'l4', 'confidence'] as const;

export interface ScanDetectorConfig {
  enabled: boolean;
  severity: Severity;
  message: string;
}

export interface ScanConfig {
  portScan: ScanDetectorConfig & { threshold: number };
  hostSweep: ScanDetectorConfig & { threshold: number };
  failedConnections: ScanDetectorConfig & { minFailed: number; ratio: number };
  /** Sources the scan detectors never report. */
  allow: CidrList;
  /** When set, only these sources are tracked. */
  sources: CidrList | null;
}

export interface RuleMatch {
  /** Protocol ids; a flow matches when its application or master protocol is one of them. */
  applications: number[] | null;
  categories: number[] | null;
  risks: number[] | null;
  /** Glob patterns (`*`, `?`) on server_name, compiled (case-insensitive, whole name). */
  serverNames: RegExp[] | null;
  serverNameGlobs: string[] | null;
  direction: Direction | null;
  src: CidrList | null;
  srcNot: CidrList | null;
  dst: CidrList | null;
  dstNot: CidrList | null;
  /** Inclusive port ranges. */
  dstPorts: [number, number][] | null;
  /** IP protocol numbers. */
  l4: number[] | null;
  /** Confidence values (engine's Confidence numbers). */
  confidence: number[] | null;
}

export interface PolicyRuleConfig {
  name: string;
  severity: Severity;
  message: string;
  /** The rule fires when any of these match (a YAML list under `match:`), each needing all its conditions. */
  match: RuleMatch[];
}

export interface NotifierCommon {
  /** "slack", "slack[1]" ...: the key path, for messages. */
  id: string;
  minSeverity: Severity;
  /** Alerts per minute before the rest are summarized; 0 = no limit. */
  ratePerMinute: number;
  /** Alerts held while the destination is slow or down (oldest dropped beyond). */
  queueSize: number;
  timeoutMs: number;
}

export interface SlackConfig extends NotifierCommon {
  webhookUrl: string;
  format: 'blocks' | 'text';
}

export interface WebhookConfig extends NotifierCommon {
  url: string;
  headers: Record<string, string>;
}

export interface EmailConfig extends NotifierCommon {
  host: string;
  port: number;
  /** TLS from the first byte (SMTPS, port 465); otherwise STARTTLS when offered. */
  secure: boolean;
  requireTls: boolean;
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
  subjectPrefix: string;
  /** Verify the server certificate (default true). */
  verifyCertificate: boolean;
}

export interface SyslogConfig extends NotifierCommon {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Facility number (RFC 5424 section 6.2.1). */
  facility: number;
  appName: string;
  /** HOSTNAME field; null = this machine's name. */
  hostname: string | null;
  /** SD-ID of the structured-data element carrying the alert's fields. */
  sdId: string;
}

export interface FileConfig extends NotifierCommon {
  /** File to append to, or "-" for standard output. */
  path: string;
}

export interface NotifyConfig {
  slack: SlackConfig[];
  webhook: WebhookConfig[];
  email: EmailConfig[];
  syslog: SyslogConfig[];
  file: FileConfig[];
}

export interface AlertsConfig {
  enabled: boolean;
  windowMs: number;
  realertMs: number;
  holdMs: number;
  maxSources: number;
  /** Per policy rule: most sources remembered for deduplication. */
  maxRuleSources: number;
  internal: CidrList;
  scans: ScanConfig;
  rules: PolicyRuleConfig[];
  notify: NotifyConfig;
}

export const DEFAULTS = Object.freeze({
  windowMs: 60_000,
  realertMs: 600_000,
  holdMs: 10_000,
  maxSources: 50_000,
  maxRuleSources: 4096,
  portScanThreshold: 100,
  hostSweepThreshold: 100,
  failedMin: 30,
  failedRatio: 0.5,
});

export const DEFAULT_MESSAGES = Object.freeze({
  portScan: '{src_addr} contacted {ports} ports on {hosts} host(s) in {duration}, mostly {top_app}',
  hostSweep: '{src_addr} contacted {hosts} hosts in {duration}, mostly {top_app}',
  failedConnections: '{src_addr}: {failed} of {attempts} TCP connection attempts failed in {duration}, mostly {top_app}',
  policy: '{rule}: {src_addr} -> {dst_addr}:{dst_port} {protocol_name} ({count} flows in {duration})',
});

export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  ntp: 12, audit: 13, alert: 14, clock: 15, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21,
  local6: 22, local7: 23,
};

type Path = string[];
type Raw = Record<string, unknown>;

const norm = (s: string): string => s.toLowerCase();
const normRisk = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function nameIndex(names: readonly (string | undefined)[], key: (s: string) => string): Map<string, number> {
  const m = new Map<string, number>();
  names.forEach((n, i) => {
    if (n !== undefined) m.set(key(n), i);
  });
  return m;
}

let protocolIndex: Map<string, number> | undefined;
let categoryIndex: Map<string, number> | undefined;
let riskIndex: Map<string, number> | undefined;

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** " (did you mean 'X'?)" for the names closest to text (a typo, or a name it is part of), or "". */
function similar(names: readonly (string | undefined)[], text: string): string {
  const t = normRisk(text);
  if (t.length < 2) return '';
  const known = names.filter((n): n is string => n !== undefined);
  let hits = known.filter((n) => editDistance(normRisk(n), t) <= Math.max(1, Math.floor(t.length / 4)));
  if (hits.length === 0) hits = known.filter((n) => normRisk(n).length > 3 && (normRisk(n).includes(t) || t.includes(normRisk(n))));
  hits = hits.slice(0, 3);
  return hits.length > 0 ? ` (did you mean ${hits.map((h) => `'${h}'`).join(', ')}?)` : '';
}

/** Validation context: collects problems instead of stopping at the first. */
class Checker {
  readonly problems: string[] = [];
  constructor(private readonly where: (path: string[]) => string | undefined, private readonly opts: ParseOptions) {}

  fail(path: Path, msg: string): void {
    let loc = '';
    try {
      loc = this.where(path) ?? '';
    } catch {
      loc = '';
    }
    const key = path.reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s === '' ? p : `${s}.${p}`), '');
    this.problems.push(`${loc ? `${loc}: ` : ''}${key}: ${msg}`);
  }

  mapping(v: unknown, path: Path, keys: readonly string[]): Raw | null {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(path, 'must be a mapping (key: value)');
      return null;
    }
    const m = v as Raw;
    for (const k of Object.keys(m)) {
      if (!keys.includes(k)) this.fail([...path, k], `unknown key; expected one of: ${keys.join(', ')}`);
    }
    return m;
  }

  bool(m: Raw, key: string, path: Path, dflt: boolean): boolean {
    const v = m[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.fail([...path, key], 'must be true or false');
      return dflt;
    }
    return v;
  }

  int(m: Raw, key: string, path: Path, dflt: number, min: number, max: number): number {
    const v = m[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail([...path, key], `must be an integer from ${min} to ${max}`);
      return dflt;
    }
    return v;
  }

  num(m: Raw, key: string, path: Path, dflt: number, min: number, max: number): number {
    const v = m[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.fail([...path, key], `must be a number from ${min} to ${max}`);
      return dflt;
    }
    return v;
  }

  /** Seconds as a number, or a string with units (250ms, 30s, 5m, 1h30m, 2d); returns ms. */
  duration(m: Raw, key: string, path: Path, dfltMs: number, minMs: number, maxMs: number): number {
    const v = m[key];
    if (v === undefined || v === null) return dfltMs;
    const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDuration(v) : NaN;
    if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      this.fail([...path, key], `must be a duration from ${minMs / 1000} s to ${maxMs / 1000} s (seconds, or e.g. "90s", "5m", "1h30m")`);
      return dfltMs;
    }
    return Math.round(ms);
  }

  str(m: Raw, key: string, path: Path, dflt: string | null, opts: { required?: boolean; secret?: boolean } = {}): string | null {
    const v = m[key];
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.fail([...path, key], 'is required');
      return dflt;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.fail([...path, key], 'must be a string');
      return dflt;
    }
    return String(v);
  }

  /**
   * A secret: given directly, as ${env:NAME} or ${file:/path} (when the
   * configuration loader left them as written), or with <key>_file naming a
   * file (trailing newline removed). Its value never appears in messages.
   */
  secret(m: Raw, key: string, path: Path, required: boolean): string | null {
    const direct = this.str(m, key, path, null);
    const file = this.str(m, `${key}_file`, path, null);
    if (direct !== null && file !== null) {
      this.fail([...path, key], `give either ${key} or ${key}_file, not both`);
      return null;
    }
    if (file !== null) return this.fromFile(file, [...path, `${key}_file`]);
    if (direct === null) {
      if (required) this.fail([...path, key], `is required (or ${key}_file)`);
      return null;
    }
    return this.expand(direct, [...path, key]);
  }

  /** ${env:NAME} and ${file:/path} references in a secret value. */
  expand(v: string, path: Path): string | null {
    let ok = true;
    const out = v.replace(/\$\{(env|file):([^}]+)\}/g, (_m, kind: string, ref: string) => {
      if (kind === 'env') {
        const e = (this.opts.env ?? process.env)[ref];
        if (e === undefined || e === '') {
          this.fail(path, `environment variable ${ref} is not set`);
          ok = false;
          return '';
        }
        return e;
      }
      const f = this.fromFile(ref, path);
      if (f === null) ok = false;
      return f ?? '';
    });
    return ok ? out : null;
  }

  private fromFile(file: string, path: Path): string | null {
    try {
      return readFileSync(resolve(this.opts.baseDir ?? '.', file), 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      this.fail(path, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return null;
    }
  }

  oneOf<T extends string>(m: Raw, key: string, path: Path, allowed: readonly T[], dflt: T): T {
    const v = m[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !allowed.includes(v.toLowerCase() as T)) {
      this.fail([...path, key], `must be one of: ${allowed.join(', ')}`);
      return dflt;
    }
    return v.toLowerCase() as T;
  }

  /** A list of strings; a single string is a list of one. */
  list(v: unknown, path: Path): string[] | null {
    if (v === undefined || v === null) return null;
    const a = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    a.forEach((x, i) => {
      if (typeof x === 'string' || typeof x === 'number') out.push(String(x));
      else this.fail(Array.isArray(v) ? [...path, String(i)] : path, 'must be a string');
    });
    if (out.length === 0 && a.length === 0) this.fail(path, 'must not be empty');
    return out;
  }

  template(m: Raw, key: string, path: Path, dflt: string, allowed: readonly string[]): string {
    const t = this.str(m, key, path, dflt) ?? dflt;
    const bad = templateFields(t).filter((f) => !allowed.includes(f));
    if (bad.length > 0) this.fail([...path, key], `unknown placeholder ${bad.map((b) => `{${b}}`).join(', ')}; available: ${allowed.map((a) => `{${a}}`).join(' ')}`);
    return t;
  }
}

/** Placeholder names used in a message template ("{{" and "}}" are literal braces). */
export function templateFields(t: string): string[] {
  const out: string[] = [];
  const re = /\{\{|\}\}|\{([a-z_]+)\}/g;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** "250ms", "30s", "5m", "1h30m", "2d", "90" (seconds) to ms; NaN when malformed. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return NaN;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(m[1]) * unit[m[2]];
  return ms;
}

/** Glob (`*` any run, `?` one character) to a case-insensitive whole-name RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function parseCidrs(c: Checker, v: unknown, path: Path, networks: Map<string, Cidr[]>): CidrList | null {
  const items = c.list(v, path);
  if (items === null) return null;
  const blocks: Cidr[] = [];
  items.forEach((s, i) => {
    const p = Array.isArray(v) ? [...path, String(i)] : path;
    const named = networks.get(s);
    if (named !== undefined) {
      blocks.push(...named);
      return;
    }
    const r = parseCidr(s);
    if (typeof r === 'string') c.fail(p, `${r}${networks.size > 0 ? ` and not a network name (alerts.networks has: ${[...networks.keys()].join(', ')})` : ''}`);
    else blocks.push(r);
  });
  return new CidrList(blocks);
}

function parsePorts(c: Checker, v: unknown, path: Path): [number, number][] | null {
  const items = c.list(v, path);
  if (items === null) return null;
  const out: [number, number][] = [];
  items.forEach((s, i) => {
    const r = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(s);
    const lo = r ? Number(r[1]) : NaN;
    const hi = r ? Number(r[2] ?? r[1]) : NaN;
    if (!(lo >= 0 && hi <= 65535 && lo <= hi)) c.fail(Array.isArray(v) ? [...path, String(i)] : path, `'${s}' is not a port or a port range (e.g. 3306 or 8000-8100)`);
    else out.push([lo, hi]);
  });
  return out;
}

function parseNames(c: Checker, v: unknown, path: Path, names: readonly (string | undefined)[], index: Map<string, number>,
  key: (s: string) => string, what: string): number[] | null {
  const items = c.list(v, path);
  if (items === null) return null;
  const out: number[] = [];
  items.forEach((s, i) => {
    const id = index.get(key(s));
    if (id === undefined) c.fail(Array.isArray(v) ? [...path, String(i)] : path, `unknown ${what} '${s}'${similar(names, s)}`);
    else out.push(id);
  });
  return out;
}

const MATCH_KEYS = ['application', 'category', 'risk', 'server_name', 'direction', 'src', 'src_not', 'dst', 'dst_not', 'dst_port', 'l4', 'confidence'];

function parseMatch(c: Checker, v: unknown, path: Path, networks: Map<string, Cidr[]>, internal: CidrList): RuleMatch | null {
  const m = c.mapping(v, path, MATCH_KEYS);
  if (m === null) return null;
  protocolIndex ??= nameIndex(PROTOCOL_NAMES, norm);
  categoryIndex ??= nameIndex(CATEGORY_NAMES, norm);
  riskIndex ??= nameIndex(RISK_NAMES, normRisk);
  const globs = c.list(m.server_name, [...path, 'server_name']);
  const l4 = c.list(m.l4, [...path, 'l4']);
  const l4n: number[] = [];
  for (const x of l4 ?? []) {
    const n = ({ tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132 } as Record<string, number>)[x.toLowerCase()] ?? (/^\d+$/.test(x) ? Number(x) : NaN);
    if (!(n >= 0 && n <= 255)) c.fail([...path, 'l4'], `'${x}' is not tcp, udp, icmp, icmpv6, sctp or an IP protocol number`);
    else l4n.push(n);
  }
  const conf = c.list(m.confidence, [...path, 'confidence']);
  const confn: number[] = [];
  for (const x of conf ?? []) {
    const i = (CONFIDENCES as readonly string[]).indexOf(x.toLowerCase());
    if (i < 0) c.fail([...path, 'confidence'], `'${x}' is not one of: ${CONFIDENCES.join(', ')}`);
    else confn.push(i);
  }
  const direction = m.direction === undefined || m.direction === null ? null : c.oneOf(m, 'direction', path, DIRECTIONS, 'outbound');
  if (direction !== null && internal.empty) c.fail([...path, 'direction'], 'needs alerts.internal_networks (the CIDR blocks of your own networks)');
  const out: RuleMatch = {
    applications: parseNames(c, m.application, [...path, 'application'], PROTOCOL_NAMES, protocolIndex, norm, 'application'),
    categories: parseNames(c, m.category, [...path, 'category'], CATEGORY_NAMES, categoryIndex, norm, 'category'),
    risks: parseNames(c, m.risk, [...path, 'risk'], RISK_NAMES, riskIndex, normRisk, 'risk'),
    serverNames: globs === null ? null : globs.map((g) => globToRegExp(g.toLowerCase())),
    serverNameGlobs: globs,
    direction,
    src: parseCidrs(c, m.src, [...path, 'src'], networks),
    srcNot: parseCidrs(c, m.src_not, [...path, 'src_not'], networks),
    dst: parseCidrs(c, m.dst, [...path, 'dst'], networks),
    dstNot: parseCidrs(c, m.dst_not, [...path, 'dst_not'], networks),
    dstPorts: parsePorts(c, m.dst_port, [...path, 'dst_port']),
    l4: l4 === null ? null : l4n,
    confidence: conf === null ? null : confn,
  };
  if (Object.keys(m).length === 0) c.fail(path, 'needs at least one condition: ' + MATCH_KEYS.join(', '));
  // A label guessed from a port alone is no evidence that an application runs: unless the rule says
  // otherwise, application and category conditions need a label seen in the traffic (dpi, ip, cache).
  if (out.confidence === null && (out.applications !== null || out.categories !== null)) out.confidence = [...OBSERVED_CONFIDENCE];
  return out;
}

const RULE_KEYS = ['name', 'severity', 'message', 'match', 'enabled'];

function parseRules(c: Checker, v: unknown, path: Path, networks: Map<string, Cidr[]>, internal: CidrList): PolicyRuleConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    c.fail(path, 'must be a list of rules');
    return [];
  }
  const out: PolicyRuleConfig[] = [];
  const seen = new Set<string>();
  const reserved = new Set(['port-scan', 'host-sweep', 'failed-connections', 'suppressed']);
  v.forEach((r, i) => {
    const p = [...path, String(i)];
    const m = c.mapping(r, p, RULE_KEYS);
    if (m === null) {
      if (r === null || r === undefined) c.fail(p, 'must be a mapping with name, severity, match');
      return;
    }
    const name = c.str(m, 'name', p, null, { required: true });
    if (name !== null) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(name)) c.fail([...p, 'name'], 'must be 1-32 characters: letters, digits, "-", "_", "." (it is the syslog MSGID)');
      else if (seen.has(name) || reserved.has(name)) c.fail([...p, 'name'], `'${name}' is ${reserved.has(name) ? 'reserved for the scan detectors' : 'used by another rule'}`);
      seen.add(name);
    }
    const severity = c.oneOf(m, 'severity', p, SEVERITIES, 'medium');
    if (m.severity === undefined) c.fail([...p, 'severity'], `is required (${SEVERITIES.join(', ')})`);
    const message = c.template(m, 'message', p, DEFAULT_MESSAGES.policy, [...COMMON_FIELDS, ...POLICY_FIELDS]);
    const enabled = c.bool(m, 'enabled', p, true);
    const matches: RuleMatch[] = [];
    if (m.match === undefined || m.match === null) c.fail([...p, 'match'], 'is required');
    else if (Array.isArray(m.match)) {
      if (m.match.length === 0) c.fail([...p, 'match'], 'must not be empty');
      m.match.forEach((x, j) => {
        const mm = parseMatch(c, x, [...p, 'match', String(j)], networks, internal);
        if (mm !== null) matches.push(mm);
      });
    } else {
      const mm = parseMatch(c, m.match, [...p, 'match'], networks, internal);
      if (mm !== null) matches.push(mm);
    }
    if (enabled && name !== null) out.push({ name, severity, message, match: matches });
  });
  return out;
}

function parseScans(c: Checker, v: unknown, path: Path, networks: Map<string, Cidr[]>): ScanConfig {
  const m = c.mapping(v, path, ['port_scan', 'host_sweep', 'failed_connections', 'allow', 'sources']) ?? {};
  const scanFields = [...COMMON_FIELDS, ...SCAN_FIELDS];
  const det = (key: string, extra: string[], dsev: Severity, dmsg: string): { m: Raw; d: ScanDetectorConfig } => {
    const p = [...path, key];
    const raw = m[key];
    const dm = (raw === false ? { enabled: false } : c.mapping(raw, p, ['enabled', 'severity', 'message', ...extra])) ?? {};
    return {
      m: dm,
      d: { enabled: c.bool(dm, 'enabled', p, true), severity: c.oneOf(dm, 'severity', p, SEVERITIES, dsev), message: c.template(dm, 'message', p, dmsg, scanFields) },
    };
  };
  const ps = det('port_scan', ['threshold'], 'high', DEFAULT_MESSAGES.portScan);
  const hs = det('host_sweep', ['threshold'], 'high', DEFAULT_MESSAGES.hostSweep);
  const fc = det('failed_connections', ['min_failed', 'ratio'], 'medium', DEFAULT_MESSAGES.failedConnections);
  // Linear counting stays within a few per cent up to ~5,000 (distinct.ts): thresholds are capped there.
  return {
    portScan: { ...ps.d, threshold: c.int(ps.m, 'threshold', [...path, 'port_scan'], DEFAULTS.portScanThreshold, 2, 5000) },
    hostSweep: { ...hs.d, threshold: c.int(hs.m, 'threshold', [...path, 'host_sweep'], DEFAULTS.hostSweepThreshold, 2, 5000) },
    failedConnections: {
      ...fc.d,
      minFailed: c.int(fc.m, 'min_failed', [...path, 'failed_connections'], DEFAULTS.failedMin, 1, 1_000_000),
      ratio: c.num(fc.m, 'ratio', [...path, 'failed_connections'], DEFAULTS.failedRatio, 0, 1),
    },
    allow: parseCidrs(c, m.allow, [...path, 'allow'], networks) ?? new CidrList([]),
    sources: parseCidrs(c, m.sources, [...path, 'sources'], networks),
  };
}

function httpUrl(c: Checker, url: string | null, path: Path): string {
  if (url === null) return '';
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') c.fail(path, 'must be an http:// or https:// URL');
  } catch {
    c.fail(path, 'is not a valid URL');
  }
  return url;
}

const COMMON_NOTIFIER_KEYS = ['min_severity', 'rate_per_minute', 'queue_size', 'timeout'];

function common(c: Checker, m: Raw, p: Path, id: string, rate: number, minSeverity: Severity): NotifierCommon {
  return {
    id,
    minSeverity: c.oneOf(m, 'min_severity', p, SEVERITIES, minSeverity),
    ratePerMinute: c.int(m, 'rate_per_minute', p, rate, 0, 100_000),
    queueSize: c.int(m, 'queue_size', p, 1000, 1, 1_000_000),
    timeoutMs: c.duration(m, 'timeout', p, 10_000, 100, 300_000),
  };
}

function eachNotifier(c: Checker, v: unknown, path: Path, fn: (m: Raw, p: Path, id: string) => void): void {
  if (v === undefined || v === null) return;
  const list = Array.isArray(v) ? v : [v];
  list.forEach((x, i) => {
    const p = Array.isArray(v) ? [...path, String(i)] : path;
    if (x === null || typeof x !== 'object' || Array.isArray(x)) {
      c.fail(p, 'must be a mapping');
      return;
    }
    fn(x as Raw, p, Array.isArray(v) ? `${path[path.length - 1]}[${i}]` : path[path.length - 1]);
  });
}

function parseNotify(c: Checker, v: unknown, path: Path): NotifyConfig {
  const m = c.mapping(v, path, ['min_severity', 'slack', 'webhook', 'email', 'syslog', 'file']) ?? {};
  const minSev = c.oneOf(m, 'min_severity', path, SEVERITIES, 'info');
  const out: NotifyConfig = { slack: [], webhook: [], email: [], syslog: [], file: [] };
  eachNotifier(c, m.slack, [...path, 'slack'], (n, p, id) => {
    c.mapping(n, p, ['webhook_url', 'webhook_url_file', 'format', ...COMMON_NOTIFIER_KEYS]);
    out.slack.push({
      ...common(c, n, p, id, 20, minSev),
      webhookUrl: httpUrl(c, c.secret(n, 'webhook_url', p, true), [...p, 'webhook_url']),
      format: c.oneOf(n, 'format', p, ['blocks', 'text'] as const, 'blocks'),
    });
  });
  eachNotifier(c, m.webhook, [...path, 'webhook'], (n, p, id) => {
    c.mapping(n, p, ['url', 'url_file', 'headers', ...COMMON_NOTIFIER_KEYS]);
    const headers: Record<string, string> = {};
    const h = c.mapping(n.headers, [...p, 'headers'], Object.keys((n.headers as Raw | undefined) ?? {}));
    for (const [k, x] of Object.entries(h ?? {})) {
      if (!/^[A-Za-z0-9-]+$/.test(k)) c.fail([...p, 'headers', k], 'is not a valid HTTP header name');
      else if (typeof x !== 'string') c.fail([...p, 'headers', k], 'must be a string');
      else {
        const val = c.expand(x, [...p, 'headers', k]);
        if (val !== null) headers[k] = val;
      }
    }
    out.webhook.push({ ...common(c, n, p, id, 60, minSev), url: httpUrl(c, c.secret(n, 'url', p, true), [...p, 'url']), headers });
  });
  eachNotifier(c, m.email, [...path, 'email'], (n, p, id) => {
    c.mapping(n, p, ['host', 'port', 'secure', 'require_tls', 'user', 'password', 'password_file', 'from', 'to', 'subject_prefix', 'tls', ...COMMON_NOTIFIER_KEYS]);
    const tls = c.mapping(n.tls, [...p, 'tls'], ['verify']) ?? {};
    const secure = c.bool(n, 'secure', p, false);
    const to = c.list(n.to, [...p, 'to']);
    if (to === null) c.fail([...p, 'to'], 'is required (one address or a list)');
    for (const a of to ?? []) if (!/^[^\s@]+@[^\s@]+$/.test(a)) c.fail([...p, 'to'], `'${a}' is not an e-mail address`);
    const from = c.str(n, 'from', p, null, { required: true }) ?? '';
    if (from !== '' && !/@/.test(from)) c.fail([...p, 'from'], `'${from}' is not an e-mail address`);
    out.email.push({
      ...common(c, n, p, id, 10, minSev),
      host: c.str(n, 'host', p, null, { required: true }) ?? '',
      port: c.int(n, 'port', p, secure ? 465 : 587, 1, 65535),
      secure,
      requireTls: c.bool(n, 'require_tls', p, false),
      user: c.str(n, 'user', p, null),
      password: c.secret(n, 'password', p, false),
      from,
      to: to ?? [],
      subjectPrefix: c.str(n, 'subject_prefix', p, '[flowtap]') ?? '[flowtap]',
      verifyCertificate: c.bool(tls, 'verify', [...p, 'tls'], true),
    });
  });
  eachNotifier(c, m.syslog, [...path, 'syslog'], (n, p, id) => {
    c.mapping(n, p, ['host', 'port', 'transport', 'facility', 'app_name', 'hostname', 'sd_id', ...COMMON_NOTIFIER_KEYS]);
    const fac = c.str(n, 'facility', p, 'local0') ?? 'local0';
    const facility = FACILITIES[fac.toLowerCase()] ?? (/^\d+$/.test(fac) && Number(fac) <= 23 ? Number(fac) : -1);
    if (facility < 0) c.fail([...p, 'facility'], `must be a facility name (${Object.keys(FACILITIES).join(', ')}) or 0..23`);
    const appName = c.str(n, 'app_name', p, 'flowtap') ?? 'flowtap';
    if (!/^[\x21-\x7e]{1,48}$/.test(appName)) c.fail([...p, 'app_name'], 'must be 1-48 printable ASCII characters without spaces (RFC 5424 APP-NAME)');
    const hostname = c.str(n, 'hostname', p, null);
    if (hostname !== null && !/^[\x21-\x7e]{1,255}$/.test(hostname)) c.fail([...p, 'hostname'], 'must be 1-255 printable ASCII characters without spaces (RFC 5424 HOSTNAME)');
    const sdId = c.str(n, 'sd_id', p, 'flowtap@32473') ?? 'flowtap@32473';
    if (!/^[\x21-\x7e]{1,32}$/.test(sdId) || /[= \]"]/.test(sdId) || !/@\d+(\.\d+)*$/.test(sdId)) {
      c.fail([...p, 'sd_id'], 'must be name@<private enterprise number> (RFC 5424 section 6.3.2), at most 32 characters');
    }
    const transport = c.oneOf(n, 'transport', p, ['udp', 'tcp'] as const, 'udp');
    out.syslog.push({
      ...common(c, n, p, id, 0, minSev),
      host: c.str(n, 'host', p, null, { required: true }) ?? '',
      port: c.int(n, 'port', p, 514, 1, 65535),
      transport,
      facility: Math.max(facility, 0),
      appName,
      hostname,
      sdId,
    });
  });
  eachNotifier(c, m.file, [...path, 'file'], (n, p, id) => {
    c.mapping(n, p, ['path', ...COMMON_NOTIFIER_KEYS]);
    out.file.push({ ...common(c, n, p, id, 0, minSev), path: c.str(n, 'path', p, null, { required: true }) ?? '-' });
  });
  return out;
}

const TOP_KEYS = ['enabled', 'window', 'realert', 'hold', 'max_sources', 'max_rule_sources', 'internal_networks', 'networks', 'scans', 'rules', 'notify'];

export interface ParseOptions {
  /** Directory that relative ${file:...} and *_file paths are relative to (default: the working directory). */
  baseDir?: string;
  /** Environment for ${env:NAME} (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** The problems of an alerts: section, one line each ("file:line:col: alerts.key: problem"). */
export class AlertsConfigError extends UsageError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    const n = problems.length;
    super(`invalid alerts configuration (${n} problem${n === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`, 'E_CONFIG');
    this.name = 'AlertsConfigError';
    this.problems = problems;
  }
}

/**
 * Validates the `alerts:` mapping. `where(path)` gives "file:line:col" of a key
 * path (paths start with "alerts"; undefined or "" when unknown); every
 * problem is listed in one UsageError (code E_CONFIG), one per line.
 */
export function parseAlertsConfig(raw: unknown, where: (path: string[]) => string | undefined, opts: ParseOptions = {}): AlertsConfig {
  const c = new Checker(where, opts);
  const root = ['alerts'];
  const m = c.mapping(raw, root, TOP_KEYS) ?? {};
  const networks = new Map<string, Cidr[]>();
  const nm = c.mapping(m.networks, [...root, 'networks'], Object.keys((m.networks as Raw | undefined) ?? {}));
  for (const [name, list] of Object.entries(nm ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      c.fail([...root, 'networks', name], 'network names are letters, digits, "_" and "-"');
      continue;
    }
    const l = parseCidrs(c, list, [...root, 'networks', name], new Map());
    networks.set(name, l === null ? [] : [...l.blocks]);
  }
  const internalList = m.internal_networks === undefined ? null : parseCidrs(c, m.internal_networks, [...root, 'internal_networks'], networks);
  const internal = internalList ?? CidrList.parse(PRIVATE_NETWORKS);
  const windowMs = c.duration(m, 'window', root, DEFAULTS.windowMs, 1000, 3_600_000);
  const realertMs = c.duration(m, 'realert', root, DEFAULTS.realertMs, 0, 7 * 86_400_000);
  const holdMs = c.duration(m, 'hold', root, DEFAULTS.holdMs, 0, 300_000);
  if (holdMs >= windowMs && m.hold !== undefined) c.fail([...root, 'hold'], 'must be shorter than the window');
  const cfg: AlertsConfig = {
    enabled: c.bool(m, 'enabled', root, true),
    windowMs,
    realertMs,
    holdMs: Math.min(holdMs, windowMs - 1),
    maxSources: c.int(m, 'max_sources', root, DEFAULTS.maxSources, 16, 10_000_000),
    maxRuleSources: c.int(m, 'max_rule_sources', root, DEFAULTS.maxRuleSources, 16, 10_000_000),
    internal,
    scans: parseScans(c, m.scans, [...root, 'scans'], networks),
    rules: parseRules(c, m.rules, [...root, 'rules'], networks, internal),
    notify: parseNotify(c, m.notify, [...root, 'notify']),
  };
  if (c.problems.length > 0) throw new AlertsConfigError(c.problems);
  return cfg;
}

const HIDDEN = '<secret>';
const REFERENCE = /^\$\{(?:env|file):[^}]*\}$/;

/**
 * The alerts: section as written, with its secrets hidden for printing
 * (--print-config): Slack webhook URLs, webhook URLs and header values,
 * e-mail passwords. A value that is only an ${env:NAME} or ${file:/path}
 * reference is kept (it names where the secret is, not the secret).
 */
export function redactAlertsSection(raw: Record<string, unknown>): Record<string, unknown> {
  const hide = (v: unknown): unknown => (typeof v === 'string' && REFERENCE.test(v) ? v : v === undefined || v === null ? v : HIDDEN);
  const each = (v: unknown, fn: (n: Raw) => Raw): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? fn(x as Raw) : x));
    return v && typeof v === 'object' ? fn(v as Raw) : v;
  };
  const notify = raw.notify;
  if (!notify || typeof notify !== 'object' || Array.isArray(notify)) return raw;
  const n = { ...(notify as Raw) };
  n.slack = each(n.slack, (x) => ('webhook_url' in x ? { ...x, webhook_url: hide(x.webhook_url) } : x));
  n.webhook = each(n.webhook, (x) => {
    const y: Raw = { ...x };
    if ('url' in y) y.url = hide(y.url);
    if (y.headers && typeof y.headers === 'object' && !Array.isArray(y.headers)) {
      y.headers = Object.fromEntries(Object.entries(y.headers as Raw).map(([k, v]) => [k, hide(v)]));
    }
    return y;
  });
  n.email = each(n.email, (x) => ('password' in x ? { ...x, password: hide(x.password) } : x));
  for (const k of ['slack', 'webhook', 'email']) if (n[k] === undefined) delete n[k];
  return { ...raw, notify: n };
}

/** The configuration with every default (no rules, no notifiers): what `--alerts` alone runs. */
export function defaultAlertsConfig(): AlertsConfig {
  return parseAlertsConfig({}, () => '');
}
