/**
 * Helpers for the alert tests: configurations from YAML text (with a
 * where() that names file:line:col), running the probe with alerting over a
 * capture file or over hand-made packets, the sample configuration, and the
 * time of a capture's first packet from a given source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { Probe } from '../../src/probe';
import { openCaptureInput } from '../../src/capture/file-source';
import type { RecordSink } from '../../src/export/sink';
import { AlertsConfig, parseAlertsConfig } from '../../src/detect/rules-config';
import { Alerting, AlertingOptions, AlertingSummary, createAlerting } from '../../src/detect/alerting';
import type { Alert } from '../../src/detect/alert';
import { ROOT } from '../cli/helpers';

export const EXAMPLE_CONFIG = join(ROOT, 'config', 'flowtap.example.yaml');
export const DETECT_FIXTURES = join(ROOT, 'test', 'fixtures', 'detect');

/** A where() for YAML text: "name:line:col" of the deepest node found on the path. */
export function yamlWhere(text: string, name: string): { raw: unknown; where: (p: string[]) => string } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const where = (p: string[]): string => {
    for (let n = p.length; n > 0; n--) {
      const node = doc.getIn(p.slice(0, n).map((x) => (/^\d+$/.test(x) ? Number(x) : x)), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const pos = lc.linePos(node.range[0]);
        return `${name}:${pos.line}:${pos.col}`;
      }
    }
    return name;
  };
  const js = (doc.toJS() ?? {}) as { alerts?: unknown };
  return { raw: js.alerts, where };
}

/** Parses YAML text holding an `alerts:` section. */
export function configFrom(text: string, name = 'test.yaml'): AlertsConfig {
  const { raw, where } = yamlWhere(text, name);
  return parseAlertsConfig(raw, where);
}

/** The sample configuration without its notifiers (they point at example hosts). */
export function exampleConfig(): AlertsConfig {
  const text = readFileSync(EXAMPLE_CONFIG, 'utf8');
  const { raw, where } = yamlWhere(text, EXAMPLE_CONFIG);
  const section = { ...(raw as Record<string, unknown>) };
  delete section.notify;
  return parseAlertsConfig(section, where);
}

export const nullSink: RecordSink = { writeFlow() {}, async close() {} };

export interface RunResult {
  alerts: Alert[];
  summary: AlertingSummary;
  alerting: Alerting;
}

/** Runs the probe with alerting over a capture file; returns every alert raised. */
export async function runCapture(path: string, cfg: AlertsConfig, opts: AlertingOptions = {}): Promise<RunResult> {
  const alerting = createAlerting(cfg, { seed: 7, ...opts });
  const alerts: Alert[] = [];
  alerting.on((a) => alerts.push(a));
  const probe = new Probe(nullSink, { detector: alerting.detector });
  const src = await openCaptureInput(path);
  await src.run(probe);
  probe.finish();
  const summary = await alerting.close();
  return { alerts, summary, alerting };
}

/** Time (ms) of the first packet sent by src (IPv4 over Ethernet) in a little- or big-endian microsecond pcap. */
export function firstPacketFrom(path: string, src: string): number {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const want = src.split('.').map(Number);
  for (let off = 24; off + 16 <= b.length;) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const f = off + 16;
    if (b.readUInt16BE(f + 12) === 0x0800 && want.every((x, i) => b[f + 26 + i] === x)) return sec * 1000 + (nano ? frac / 1e6 : frac / 1e3);
    off = f + incl;
  }
  throw new Error(`no IPv4 packet from ${src} in ${path}`);
}
