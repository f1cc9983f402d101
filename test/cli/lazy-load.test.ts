/**
 * What start-up loads: the CLI module loads neither the probe (decoders,
 * DPI engine, every dissector) nor a network sink's or the e-mail
 * notifier's libraries (run() loads the probe while the export thread
 * starts; transports and notifiers load when configured), nor the YAML
 * parser or the alerting stack (detectors, notifiers); a run loads the YAML
 * parser only for a configuration file, and the alerting stack only when
 * alerts are asked for. The export thread's modules do not pull in the DPI
 * engine or any dissector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fresh, ROOT } from './helpers';

const SRC = join(__dirname, '..', '..', 'src');

/** The modules loaded (paths) after a fresh process requires each of `mods`. */
function loadedBy(mods: string[]): string[] {
  const code = `for (const m of ${JSON.stringify(mods)}) require(m); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

function heavy(loaded: string[]): string[] {
  return loaded.filter((p) => /[\\/]dpi[\\/](protocols[\\/]|engine\.js|registry\.js)|[\\/]probe\.js$|[\\/]node_modules[\\/](msgpackr|nodemailer)[\\/]/.test(p));
}

/** The YAML parser's modules. */
function yamlLib(loaded: string[]): string[] {
  return loaded.filter((p) => /[\\/]node_modules[\\/]yaml[\\/]/.test(p));
}

/** The alerting stack's modules: alerting.js, the alerts: section's checker, the notifiers. */
function alertingStack(loaded: string[]): string[] {
  return loaded.filter((p) => /[\\/]detect[\\/](alerting|rules-config|detector)\.js$|[\\/]detect[\\/]notify[\\/]/.test(p));
}

/** Runs main(args) in a fresh process; its exit code and the modules loaded by the end of the run. */
function runMain(args: string[]): { code: number; loaded: string[]; stderr: string } {
  const code = [
    `require(${JSON.stringify(join(SRC, 'cli', 'main.js'))}).main(${JSON.stringify(args)})`,
    '.then((c) => process.stdout.write(JSON.stringify({ code: c, loaded: Object.keys(require.cache) })));',
  ].join('');
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { ...(JSON.parse(r.stdout) as { code: number; loaded: string[] }), stderr: r.stderr };
}

const SAMPLE = join(ROOT, 'samples', 'sample.pcap');

test('the CLI module loads no dissector, engine, probe, msgpackr or nodemailer', () => {
  const loaded = loadedBy([join(SRC, 'cli', 'main.js')]);
  assert.ok(loaded.length > 50, `only ${loaded.length} modules: the check would prove little`);
  assert.deepEqual(heavy(loaded), []);
});

test('the CLI module loads neither the YAML parser nor the alerting stack', () => {
  const loaded = loadedBy([join(SRC, 'cli', 'main.js')]);
  assert.deepEqual(yamlLib(loaded), []);
  assert.deepEqual(alertingStack(loaded), []);
});

test('a run without -c and without alerts loads neither the YAML parser nor the alerting stack', () => {
  const dir = fresh('lazy-plain');
  const r = runMain(['-r', SAMPLE, '-w', join(dir, 'flows.jsonl'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(dir, 'flows.jsonl'), 'utf8').length > 0, 'the records are written');
  assert.deepEqual(yamlLib(r.loaded), []);
  assert.deepEqual(alertingStack(r.loaded), []);
});

test('a configuration file loads the YAML parser (and no alerting without an alerts: section)', () => {
  const dir = fresh('lazy-config');
  const cfg = join(dir, 'flowtap.yaml');
  writeFileSync(cfg, `input: { read: ${JSON.stringify(SAMPLE)} }\noutputs: { file: { path: flows.jsonl } }\n`);
  const r = runMain(['-c', cfg, '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(dir, 'flows.jsonl'), 'utf8').length > 0, 'the file is read: its input and output are used');
  assert.ok(yamlLib(r.loaded).length > 10, 'the YAML parser is loaded');
  assert.deepEqual(alertingStack(r.loaded), []);
});

test('alerting (an alert flag, or an alerts: section) loads the alerting stack, and it raises the alert', () => {
  const dir = fresh('lazy-alerts');
  const scan = join(dir, 'syn-scan.pcap');
  const g = spawnSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'detect', 'gen-syn-scan.js'), scan], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  const rules = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { rule: string }).rule);

  const flag = runMain(['-r', scan, '-w', join(dir, 'flows.jsonl'), '--alerts', join(dir, 'alerts.jsonl'), '-q']);
  assert.equal(flag.code, 0, flag.stderr);
  assert.deepEqual(rules(join(dir, 'alerts.jsonl')), ['port-scan']);
  const stack = alertingStack(flag.loaded).map((p) => p.slice(p.lastIndexOf('detect')));
  for (const m of ['alerting.js', 'rules-config.js', 'detector.js', 'jsonl.js', 'http.js']) assert.ok(stack.some((p) => p.endsWith(m)), `${m} in ${stack.join(', ')}`);
  assert.deepEqual(yamlLib(flag.loaded), [], 'no configuration file: no YAML parser');

  const cfg = join(dir, 'flowtap.yaml');
  writeFileSync(cfg, `input: { read: ${JSON.stringify(scan)} }\noutputs: { file: { path: flows2.jsonl } }\nalerts:\n  notify:\n    file: { path: alerts2.jsonl }\n`);
  const section = runMain(['-c', cfg, '-q']);
  assert.equal(section.code, 0, section.stderr);
  assert.deepEqual(rules(join(dir, 'alerts2.jsonl')), ['port-scan']);
  assert.ok(alertingStack(section.loaded).some((p) => p.endsWith('alerting.js')), 'the alerts: section loads the alerting stack');
  assert.ok(yamlLib(section.loaded).length > 10, 'the YAML parser is loaded');
});

test('errors of an alerts: section and of the alert flags are reported as before (exit code 2)', () => {
  const dir = fresh('lazy-alerts-errors');
  const cfg = join(dir, 'flowtap.yaml');
  writeFileSync(cfg, 'alerts:\n  scans:\n    port_scan: { threshold: many }\n');
  const bad = runMain(['-c', cfg, '-r', SAMPLE, '-w', join(dir, 'flows.jsonl')]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `flowtap: ${cfg}:3:29: alerts.scans.port_scan.threshold: must be an integer from 2 to 5000\n`);
  const flag = runMain(['-r', SAMPLE, '-w', join(dir, 'flows.jsonl'), '--slack-webhook', 'ftp://x']);
  assert.equal(flag.code, 2);
  assert.equal(flag.stderr, 'flowtap: --slack-webhook needs an http:// or https:// URL\n');
});

test("the export thread's modules load no dissector or engine", () => {
  // Every module export-worker.js requires when it loads (its top-level requires), without running it outside a worker.
  const worker = join(SRC, 'export', 'export-worker.js');
  const text = readFileSync(worker, 'utf8');
  const mods = [...text.matchAll(/^const \w+ = require\("([^"]+)"\);$/gm)].map((m) => (m[1].startsWith('.') ? join(SRC, 'export', m[1]) : m[1]));
  assert.ok(mods.some((m) => m.endsWith('raw-record')) && mods.some((m) => m.endsWith('record-ring')), `top-level requires not found: ${mods.join(', ')}`);
  assert.deepEqual(heavy(loadedBy(mods)), []);
});

test('the probe module does load the dissectors (the check above sees them when they are there)', () => {
  assert.ok(heavy(loadedBy([join(SRC, 'probe.js')])).some((p) => /[\\/]dpi[\\/]protocols[\\/]/.test(p)));
});
