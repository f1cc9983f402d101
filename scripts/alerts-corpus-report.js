#!/usr/bin/env node
// Runs flowtap's alert detectors over every capture of a corpus (by default
// nDPI's test captures in ../shared/corpus/ndpi/pcap) with the rules of a
// configuration (by default the alerts: section of
// config/flowtap.example.yaml, notifiers left out) and reports how many
// captures raise any alert and why: per rule, the captures and sources, and
// every scan alert with its evidence.
//
//   npm run build && node scripts/alerts-corpus-report.js [--config file.yaml] [--corpus dir] [--json]
//
// Uses the built modules in dist/. Exit code 0 (it reports, it does not judge).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const YAML = require('yaml');

const ROOT = resolve(__dirname, '..');
const { Probe } = require(join(ROOT, 'dist', 'probe'));
const { openCaptureInput } = require(join(ROOT, 'dist', 'capture', 'file-source'));
const { parseAlertsConfig } = require(join(ROOT, 'dist', 'detect', 'rules-config'));
const { createAlerting } = require(join(ROOT, 'dist', 'detect', 'alerting'));

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const configPath = resolve(arg('--config', join(ROOT, 'config', 'flowtap.example.yaml')));
const corpus = resolve(arg('--corpus', process.env.FLOWTAP_CORPUS ?? join(ROOT, '..', 'shared', 'corpus', 'ndpi', 'pcap')));
const asJson = process.argv.includes('--json');

/** The alerts: section of a YAML file, with a where() giving file:line:col of key paths. */
function loadAlertsSection(path) {
  const text = readFileSync(path, 'utf8');
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc });
  const where = (p) => {
    for (let n = p.length; n > 0; n--) {
      const node = doc.getIn(p.slice(0, n).map((x) => (/^\d+$/.test(x) ? Number(x) : x)), true);
      if (node && node.range) {
        const pos = lc.linePos(node.range[0]);
        return `${path}:${pos.line}:${pos.col}`;
      }
    }
    return path;
  };
  const js = doc.toJS() ?? {};
  return { raw: js.alerts, where };
}

async function run(file, cfg) {
  const alerting = createAlerting(cfg, { seed: 1 });
  const alerts = [];
  alerting.on((a) => alerts.push(a));
  const probe = new Probe({ writeFlow() {}, async close() {} }, { detector: alerting.detector });
  let error = null;
  try {
    const src = await openCaptureInput(file);
    await src.run(probe);
  } catch (err) {
    error = err.message;
  }
  probe.finish();
  await alerting.close();
  return { alerts, error };
}

(async () => {
  const { raw, where } = loadAlertsSection(configPath);
  const section = { ...(raw ?? {}) };
  delete section.notify;
  const cfg = parseAlertsConfig(section, where);
  const files = readdirSync(corpus).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).sort();
  const results = [];
  for (const f of files) results.push({ capture: f, ...(await run(join(corpus, f), cfg)) });

  if (asJson) {
    process.stdout.write(JSON.stringify(results.filter((r) => r.alerts.length > 0 || r.error), null, 1) + '\n');
    return;
  }
  const withAlerts = results.filter((r) => r.alerts.length > 0);
  const byRule = new Map();
  for (const r of withAlerts) {
    for (const a of r.alerts) {
      const e = byRule.get(a.rule) ?? { captures: new Set(), alerts: 0 };
      e.captures.add(r.capture);
      e.alerts++;
      byRule.set(a.rule, e);
    }
  }
  const out = [];
  out.push(`config ${configPath}; corpus ${corpus}`);
  out.push(`${files.length} captures; ${withAlerts.length} raise at least one alert; ${results.reduce((n, r) => n + r.alerts.length, 0)} alerts in all`);
  const scanCaptures = withAlerts.filter((r) => r.alerts.some((a) => a.kind === 'scan'));
  out.push(`${scanCaptures.length} captures raise a scan alert (port-scan, host-sweep, failed-connections)`);
  out.push('', 'by rule (captures, alerts):');
  for (const [rule, e] of [...byRule].sort((a, b) => b[1].captures.size - a[1].captures.size)) {
    out.push(`  ${rule.padEnd(26)} ${String(e.captures.size).padStart(4)} ${String(e.alerts).padStart(5)}  ${[...e.captures].slice(0, 6).join(' ')}${e.captures.size > 6 ? ' ...' : ''}`);
  }
  out.push('', 'scan alerts:');
  for (const r of scanCaptures) {
    for (const a of r.alerts.filter((x) => x.kind === 'scan')) {
      out.push(`  ${r.capture}: [${a.triggers.join('+')}] ${a.message}; counts ${JSON.stringify(a.counts)}`);
    }
  }
  out.push('', 'every alert:');
  for (const r of withAlerts) {
    out.push(`  ${r.capture}`);
    for (const a of r.alerts) out.push(`    ${a.rule} (${a.severity}) ${a.message}`);
  }
  const errors = results.filter((r) => r.error);
  if (errors.length > 0) out.push('', `captures read with an error (alerts up to the error are counted): ${errors.map((r) => r.capture).join(', ')}`);
  process.stdout.write(out.join('\n') + '\n');
})().catch((err) => {
  process.stderr.write(`alerts-corpus-report: ${err.message}\n`);
  process.exit(1);
});
