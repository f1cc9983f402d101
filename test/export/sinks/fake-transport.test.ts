/**
 * The Transport contract suite run against the in-memory fake transport (so
 * the suite is known to pass for a correct transport), and against
 * transports that each break one promise (so it is known to fail for them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { FakeTransport } from './fake-transport';
import { transportContract } from './transport-contract';

transportContract('fake transport', async () => {
  const t = new FakeTransport({ maxBatch: 100 });
  return {
    transport: t,
    received: async () => t.accepted.map((r) => JSON.parse(JSON.stringify(r)) as FlowRecord),
    stop: async () => {
      t.down = true;
    },
    restart: async () => {
      t.down = false;
    },
    close: async () => undefined,
  };
});

interface Run {
  code: number | null;
  failed: string[];
  out: string;
}

function runBroken(variant: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, BROKEN: variant };
    // A test runner of its own, not a subtest of this one.
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', join(__dirname, 'fixtures', 'broken-transports.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const failed = [...out.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1].trim());
      resolve({ code, failed, out });
    });
  });
}

const CATCHES: Record<string, string[]> = {
  'loses-a-record': ['a batch of sample records arrives intact', 'many batches arrive complete and in order'],
  reorders: ['a batch of sample records arrives intact', 'many batches arrive complete and in order'],
  'ignores-outage': ['send() to a stopped peer settles in time (rejecting with a SinkError) and a send after restart() arrives'],
  'hangs-when-down': ['send() to a stopped peer settles in time (rejecting with a SinkError) and a send after restart() arrives'],
  mutates: ['send() leaves the records it was given unchanged'],
  'close-twice-throws': ['close() is idempotent and a send after close() rejects with a SinkError'],
  'send-after-close-resolves': ['close() is idempotent and a send after close() rejects with a SinkError'],
};

test('the contract suite fails transports that break it, in the case for the broken promise', { timeout: 120_000 }, async () => {
  const variants = Object.keys(CATCHES);
  const runs = await Promise.all(variants.map((v) => runBroken(v)));
  variants.forEach((v, i) => {
    const r = runs[i];
    assert.notEqual(r.code, 0, `${v}: the suite must fail\n${r.out}`);
    for (const c of CATCHES[v]) assert.ok(r.failed.includes(c), `${v}: the case "${c}" must fail\n${r.out}`);
  });
});
