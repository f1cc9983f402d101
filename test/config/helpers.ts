/**
 * Helpers for the configuration tests: check YAML text in a scratch
 * directory, get the problem lines of a failing file, compare configurations
 * with their secrets revealed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load';
import { Secret } from '../../src/config/secrets';
import type { FlowtapConfig } from '../../src/config/types';
import type { Env } from '../../src/config/secrets';
import { scratch } from '../support/common';

/** A fresh directory under this process's scratch directory. */
export function tempDir(): string {
  return mkdtempSync(join(scratch(), 'config-'));
}

/** Writes files (relative path → content) under dir. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

export interface CheckOptions {
  env?: Env;
  baseDir?: string;
}

/** Checks YAML text as file "flowtap.yaml". */
export function load(yaml: string, o: CheckOptions = {}): FlowtapConfig {
  return parseConfig(yaml, 'flowtap.yaml', { env: o.env ?? {}, baseDir: o.baseDir ?? tempDir() });
}

/** The problem lines of YAML text that must fail. */
export function problems(yaml: string, o: CheckOptions = {}): string[] {
  try {
    load(yaml, o);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'E_CONFIG');
    assert.equal(err.message, err.problems.join('\n'));
    return [...err.problems];
  }
  return assert.fail(`expected problems in:\n${yaml}`);
}

/** The one problem of YAML text. */
export function problem(yaml: string, o: CheckOptions = {}): string {
  const ps = problems(yaml, o);
  assert.equal(ps.length, 1, `one problem, got:\n${ps.join('\n')}`);
  return ps[0];
}

/** A configuration as plain data with secrets revealed (Buffers as text), for deepEqual. */
export function plain(v: unknown): unknown {
  if (v instanceof Secret) return { secret: plain(v.reveal()) };
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

export const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
export const PEM_KEY_BODY = 'MC4CAQAwBQYDK2VwBCIEIKEYMATERIALdoNotLeakMe0123456789abcdefgh';
export const PEM_KEY = `-----BEGIN PRIVATE KEY-----\n${PEM_KEY_BODY}\n-----END PRIVATE KEY-----\n`;
