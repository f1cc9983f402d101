/**
 * Corpus floor: runs the real CLI over every capture of nDPI's test suite
 * (../shared/corpus/ndpi, beside the repository) through the team's scoring
 * tool, ../shared/tools/dpi-score, and fails when flowtap falls below the
 * floors the foundation issue sets: no capture fails, at least 99.5% of
 * nDPI's flows are found, and at least 99.5% of those have nDPI's packet
 * count. The figures are printed so CI logs show them.
 *
 * Without the corpus (a machine with only this repository) the test is
 * skipped with a message; CI always has it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const repo = resolve(__dirname, '..', '..', '..');
const shared = resolve(repo, '..', 'shared');
const score = join(shared, 'tools', 'dpi-score');
const corpus = join(shared, 'corpus', 'ndpi');
const FLOOR = { flowsFound: 99.5, packetCountsEqual: 99.5 };

function pct(v: unknown): number {
  return Number(String(v).replace('%', ''));
}

test('ndpi-corpus-meets-flow-and-packet-count-floors', { timeout: 600_000, skip: existsSync(score) && existsSync(corpus) ? false : `no corpus at ${corpus}` }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flowtap-corpus-')), 'score.json');
  const cli = join(repo, 'dist', 'cli.js');
  const r = spawnSync('/usr/bin/python3', [score, '--cmd', `node ${cli} -r {pcap} --format jsonl -q`, '--jobs', '2', '--json', out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout.split('\n').filter((l) => /^(failed|pcaps|expected_flows|flows_found|packet_counts_equal|wall_seconds)/.test(l)).map((l) => `# ${l}\n`).join(''));
  assert.equal(r.status, 0, `dpi-score failed: ${r.stderr}`);
  const fig = (JSON.parse(readFileSync(out, 'utf8')) as { figures: Record<string, unknown> }).figures;
  assert.equal(fig.pcaps, 361);
  assert.equal(fig.pcaps_failed, 0, 'every capture must be read without failure');
  assert.ok(pct(fig.flows_found) >= FLOOR.flowsFound, `flows_found ${fig.flows_found} < ${FLOOR.flowsFound}%`);
  assert.ok(pct(fig.packet_counts_equal) >= FLOOR.packetCountsEqual, `packet_counts_equal ${fig.packet_counts_equal} < ${FLOOR.packetCountsEqual}%`);
});
