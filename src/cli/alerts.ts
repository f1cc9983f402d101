/**
 * Alerting from the configuration and the command line: the `alerts:`
 * section of the file (checked by the alerts module, its mistakes named by
 * file:line:col) with the alert flags applied (--alerts, --scan-threshold,
 * --sweep-threshold, --alert-window, --slack-webhook, --syslog,
 * --alert-webhook). Alerting runs when the file has an alerts: section that
 * is not `enabled: false`, or when an alert flag is given. Also: what
 * --print-config shows of the alerts (secrets hidden, the flags as a
 * comment). The alerting modules (the section's checker, the detectors and
 * the notifiers) are loaded only when the file or a flag asks for alerts.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { AlertFlags } from '../detect/alerting';
import type { AlertsConfig } from '../detect/rules-config';
import { finish } from '../config/load';
import type { FlowtapConfig } from '../config/types';
import type { Env } from './sinks';

type RulesConfigModule = typeof import('../detect/rules-config');
type AlertingModule = typeof import('../detect/alerting');

let rulesConfig: RulesConfigModule | undefined;
let alerting: AlertingModule | undefined;

/** The alerts: section's checker, loaded on first use. */
function rulesConfigModule(): RulesConfigModule {
  rulesConfig ??= require('../detect/rules-config') as RulesConfigModule;
  return rulesConfig;
}

/** The alerting stack (detectors, notifiers: createAlerting), loaded on first use: only a run with alerting needs it. */
export function alertingModule(): AlertingModule {
  alerting ??= require('../detect/alerting') as AlertingModule;
  return alerting;
}

/** The problems of an alerts: section (an AlertsConfigError, which only alertsConfigOf throws); undefined for any other error. */
export function alertsConfigProblems(err: unknown): readonly string[] | undefined {
  return rulesConfig !== undefined && err instanceof rulesConfig.AlertsConfigError ? err.problems : undefined;
}

export function anyAlertFlag(f: AlertFlags): boolean {
  return Object.values(f).some((v) => v !== undefined);
}

/** file:line:col of the deepest part of `path` that is in the file (a missing key: its parent's place). */
function whereIn(cfg: FlowtapConfig): (path: string[]) => string | undefined {
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const w = cfg.where(path.slice(0, n));
      if (w !== undefined) return w;
    }
    return cfg.file;
  };
}

/**
 * The alerting configuration to run with, or null when alerting is off.
 * Throws AlertsConfigError (every problem of the section, file:line:col
 * each) or UsageError (a bad alert flag).
 */
export function alertsConfigOf(cfg: FlowtapConfig, flags: AlertFlags, env: Env): AlertsConfig | null {
  if (cfg.alerts === undefined && !anyAlertFlag(flags)) return null;
  const baseDir = cfg.file !== undefined ? dirname(resolve(cfg.file)) : process.cwd();
  const fromFile = cfg.alerts !== undefined ? rulesConfigModule().parseAlertsConfig(cfg.alerts, whereIn(cfg), { baseDir, env }) : undefined;
  const ac = alertingModule().applyAlertFlags(fromFile, flags);
  if (!ac.enabled) return null;
  // Relative paths in the file are relative to its directory, as everywhere in it.
  ac.notify = { ...ac.notify, file: ac.notify.file.map((f) => (f.path === '-' || isAbsolute(f.path) ? f : { ...f, path: resolve(baseDir, f.path) })) };
  return ac;
}

/** The configuration as --print-config shows it: alert secrets hidden too. */
export function printable(cfg: FlowtapConfig): FlowtapConfig {
  if (cfg.alerts === undefined) return cfg;
  return finish({ ...cfg, alerts: rulesConfigModule().redactAlertsSection(cfg.alerts) }, cfg.file, (p) => cfg.where(p));
}

/** A YAML comment naming the alert flags given (they adjust the alerts: section when flowtap runs); undefined when none. */
export function alertFlagsComment(f: AlertFlags): string | undefined {
  const parts: string[] = [];
  if (f.alerts !== undefined) parts.push(`--alerts ${f.alerts}`);
  if (f.scanThreshold !== undefined) parts.push(`--scan-threshold ${f.scanThreshold}`);
  if (f.sweepThreshold !== undefined) parts.push(`--sweep-threshold ${f.sweepThreshold}`);
  if (f.alertWindowSeconds !== undefined) parts.push(`--alert-window ${f.alertWindowSeconds}`);
  if (f.slackWebhook !== undefined) parts.push('--slack-webhook <secret>');
  if (f.syslog !== undefined) parts.push(`--syslog ${f.syslog}`);
  if (f.webhook !== undefined) parts.push('--alert-webhook <secret>');
  return parts.length > 0 ? `# and, on top of the alerts: section: ${parts.join(' ')}` : undefined;
}
