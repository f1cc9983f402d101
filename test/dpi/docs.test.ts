import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..', '..');

test('docs/protocols.md and the DPI fields of docs/schema.md are generated from the registry and are up to date', () => {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'gen-dpi-docs.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
