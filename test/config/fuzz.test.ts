/**
 * Robustness: random YAML-ish garbage and random mutations of the example
 * configuration either load or fail with one ConfigError (E_CONFIG) whose
 * problems are single "file:line:col: ..." lines; nothing else is ever
 * thrown, and no secret from the environment shows up in a message.
 * Seeded, so a failure can be replayed from the seed in its message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load';
import { rng } from '../support/common';
import { tempDir, writeFiles } from './helpers';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', '..', 'config', 'flowtap.example.yaml'), 'utf8');
const SECRETS = { FLOWTAP_FLUENTD_SHARED_KEY: 'zqxSHAREDkey77', FLOWTAP_FLUENTD_PASSWORD: 'zqxFLUENTpw77', FLOWTAP_ES_API_KEY: 'zqxESapikey77' };
const FILE_SECRET = 'zqxCHpassword77';

const TOKENS = [
  ':', ': ', '-', '- ', ' ', '  ', '\n', '\n  ', '\n    ', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a', '<<: ', '!tag ', '!!str ', '? ',
  '${env:FLOWTAP_ES_API_KEY}', '${env:NOPE}', '${file:secrets/clickhouse.password}', '${file:/nonexistent}', '${', '$${', '#', '\t', '|', '>', '---', '...', '%YAML 1.2',
  'input', 'read', 'outputs', 'fluentd', 'file', 'stdout', 'elasticsearch', 'clickhouse', 'ipfix', 'netflow9', 'tls', 'ca', 'key', 'password',
  'password_file', 'api_key', 'shared_key', 'url', 'host', 'port', 'alerts', 'flows', 'timeouts', 'tcp', 'workers', 'buffer', 'log', 'name',
  'constructor', '__proto__', 'toString', '${env:toString}',
  'abc', '-1', '0', '65536', '99999999999999999999', '0x10', '1e400', '.nan', '.inf', 'null', '~', 'true', 'no', '1GiB', '5m', '250ms',
  'udp://x', 'http://[::1', 'https://u:p@h', '/etc/hostname', '/dev/zero', '.', '\u00e9\u4e2d', '\u0000', '\ufeff',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function garbage(r: () => number): string {
  let s = '';
  const n = 1 + Math.floor(r() * 60);
  for (let i = 0; i < n; i++) s += pick(r, TOKENS);
  return s;
}

function mutate(r: () => number, text: string): string {
  let t = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const lines = t.split('\n');
    const li = Math.floor(r() * lines.length);
    const at = Math.floor(r() * (t.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 5)); break;
      case 1: t = t.slice(0, at) + pick(r, TOKENS) + t.slice(at); break;
      case 2: lines[li] = lines[li].replace(/:\s.*$/, `: ${pick(r, TOKENS)}`); t = lines.join('\n'); break;
      case 3: lines.splice(li, 1); t = lines.join('\n'); break;
      case 4: lines.splice(li, 0, lines[Math.floor(r() * lines.length)]); t = lines.join('\n'); break;
      case 5: lines[li] = (r() < 0.5 ? ' ' : '') + lines[li].replace(/^ {1,2}/, ''); t = lines.join('\n'); break;
      default: lines[li] = lines[li].replace(/^(\s*)#\s?/, '$1'); t = lines.join('\n'); break;
    }
  }
  return t;
}

function checkOne(text: string, dir: string, seed: number, i: number): 'ok' | 'problems' {
  try {
    parseConfig(text, 'fuzz.yaml', { env: SECRETS, baseDir: dir });
    return 'ok';
  } catch (err) {
    if (!(err instanceof ConfigError) || err.code !== 'E_CONFIG') {
      assert.fail(`seed ${seed} case ${i}: ${String(err)}\n${(err as Error)?.stack}\n--- input ---\n${text}`);
    }
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) {
      assert.match(p, /^fuzz\.yaml:\d+:\d+: \S/, `seed ${seed} case ${i}: ${JSON.stringify(p)}`);
      assert.ok(!/[\n\r]/.test(p), `one line: ${JSON.stringify(p)}`);
      for (const s of [...Object.values(SECRETS), FILE_SECRET]) {
        assert.ok(!p.includes(s), `seed ${seed} case ${i}: secret in ${JSON.stringify(p)}\n--- input ---\n${text}`);
      }
    }
    return 'problems';
  }
}

function scratchDir(): string {
  const dir = tempDir();
  writeFiles(dir, { 'secrets/clickhouse.password': `${FILE_SECRET}\n` });
  return dir;
}

test('the unmutated example loads (the mutations start from a valid file)', () => {
  assert.equal(checkOne(EXAMPLE, scratchDir(), 0, 0), 'ok');
});

test('random mutations of the example: a configuration or a ConfigError, nothing else', () => {
  const dir = scratchDir();
  const seed = 20240607;
  const r = rng(seed);
  const seen = { ok: 0, problems: 0 };
  for (let i = 0; i < 800; i++) seen[checkOne(mutate(r, EXAMPLE), dir, seed, i)]++;
  assert.ok(seen.ok > 30 && seen.problems > 300, `both outcomes exercised: ${JSON.stringify(seen)}`);
});

test('random YAML-ish garbage: a configuration or a ConfigError, nothing else', () => {
  const dir = scratchDir();
  const seed = 777;
  const r = rng(seed);
  const seen = { ok: 0, problems: 0 };
  for (let i = 0; i < 1500; i++) seen[checkOne(garbage(r), dir, seed, i)]++;
  assert.ok(seen.problems > 500, JSON.stringify(seen));
});
