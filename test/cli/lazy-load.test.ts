/**
 * What start-up loads: the CLI module loads neither the probe (decoders,
 * DPI engine, every dissector) nor a network sink's or the e-mail
 * notifier's libraries (run() loads the probe while the export thread
 * starts; transports and notifiers load when configured), and the export
 * thread's modules do not pull in the DPI engine or any dissector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

test('the CLI module loads no dissector, engine, probe, msgpackr or nodemailer', () => {
  const loaded = loadedBy([join(SRC, 'cli', 'main.js')]);
  assert.ok(loaded.length > 50, `only ${loaded.length} modules: the check would prove little`);
  assert.deepEqual(heavy(loaded), []);
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
