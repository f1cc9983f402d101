/**
 * The alert object every notifier receives (and `--alerts` writes as one
 * JSON line): who (src_addr), what (rule, severity, message), when
 * (window_start, window_end, raised_at: ms since the epoch, on the clock the
 * detector was fed: capture time for files, wall time live) and the evidence
 * (counts, the applications the source used in the window, a few community
 * IDs to find the flows in the flow records, the first matching flow of a
 * policy rule). docs/alerts.md documents the fields.
 *
 * Also here: message templates ("{src_addr} ... {count}") and the short
 * text of the applications seen ("Skype 180, Unknown 41").
 */
import type { Severity } from './rules-config';

export interface AlertApplication {
  /** Label as records print it (protocol_name), "Unknown" for flows DPI could not name. */
  name: string;
  flows: number;
}

/** The first flow that matched a policy rule. */
export interface AlertFlow {
  l4: string;
  src_port: number;
  dst_addr: string;
  dst_port: number;
  protocol_name: string;
  category: string;
  confidence: string;
  server_name: string;
  risks: string[];
  community_id: string;
}

export interface AlertCounts {
  /** Flows from the source in the window (scan) or flows that matched the rule (policy). */
  flows?: number;
  /** Scan detectors: distinct destination ports and hosts, TCP connection attempts that ended and those that failed. */
  dst_ports?: number;
  dst_hosts?: number;
  tcp_attempts?: number;
  tcp_failed?: number;
  /** Flows whose label was not known yet when the alert was raised. */
  unlabelled?: number;
  /** Policy rules: matches since the previous alert for this rule and source that were not alerted (deduplicated); summaries: alerts rate-limited. */
  suppressed?: number;
}

export interface Alert {
  rule: string;
  severity: Severity;
  src_addr: string;
  window_start: number;
  window_end: number;
  raised_at: number;
  message: string;
  kind: 'scan' | 'policy' | 'summary';
  /** Scan alerts: every detector that crossed its threshold in the window, first one first. */
  triggers?: string[];
  counts: AlertCounts;
  /** True when a distinct count is an estimate (above the exact range of the counters). */
  approximate?: boolean;
  applications: AlertApplication[];
  community_ids: string[];
  flow?: AlertFlow;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** "{x}" placeholders replaced from values ("{{" / "}}" are literal braces; unknown names stay as written). */
export function renderTemplate(t: string, values: Record<string, string | number>): string {
  return t.replace(/\{\{|\}\}|\{([a-z_]+)\}/g, (m, name: string | undefined) => {
    if (name === undefined) return m[0];
    const v = values[name];
    return v === undefined ? m : String(v);
  });
}

/** "250 ms", "12 s", "1 min 30 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "Skype 180, Unknown 41, HTTP 3" (the top three). */
export function appsText(apps: readonly AlertApplication[]): string {
  return apps.length === 0 ? 'none labelled yet' : apps.slice(0, 3).map((a) => `${a.name} ${a.flows}`).join(', ');
}

/** The most frequent application, preferring a named one over Unknown when they tie. */
export function topApp(apps: readonly AlertApplication[]): string {
  let best: AlertApplication | undefined;
  for (const a of apps) if (best === undefined || a.flows > best.flows || (a.flows === best.flows && best.name === 'Unknown')) best = a;
  return best?.name ?? 'Unknown';
}

/** Values of the placeholders common to every alert. */
export function commonValues(a: Alert, count: number): Record<string, string | number> {
  return {
    rule: a.rule,
    severity: a.severity,
    src_addr: a.src_addr,
    count,
    flows: a.counts.flows ?? 0,
    duration: formatDuration(a.window_end - a.window_start),
    window: formatDuration(a.window_end - a.window_start),
    apps: appsText(a.applications),
    top_app: topApp(a.applications),
  };
}
