#!/usr/bin/env node
// Runs every compiled test file (build/test/**/*.test.js) with Node's built-in
// test runner. Node 20's `--test` takes no glob, so the files are listed here.
// Extra arguments are passed to node (e.g. --test-name-pattern=pcap).
'use strict';
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = walk(join(__dirname, '..', 'build', 'test'), []);
const filter = process.env.TEST_FILES;
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...chosen], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
