/**
 * Corpus floor: runs the real CLI over every capture of nDPI's test suite
 * (../shared/corpus/ndpi, beside the repository) through the team's scoring
 * tool, ../shared/tools/dpi-score, and fails when flowtap falls below the
 * floors the foundation and DPI issues set: no capture fails, at least 99.5%
 * of nDPI's flows are found and 99.5% of those have nDPI's packet count;
 * at least 80% of the flows nDPI identified by DPI get nDPI's exact label,
 * at least 250 of its protocols are matched at least once, host names agree
 * on 95% of flows, and the TLS/SSH/BitTorrent fingerprints (JA3C, JA3S, JA4,
 * HASSH-C, HASSH-S, info-hash) on 95%. The figures are printed so CI logs
 * show them.
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
const FLOOR = { flowsFound: 99.5, packetCountsEqual: 99.5, dpiExact: 80, protocolsCovered: 250, hostnameEqual: 95, meta: 95 };
const META = ['meta_ja3c', 'meta_ja3s', 'meta_ja4', 'meta_hassh_c', 'meta_hassh_s', 'meta_bt_hash'];

function pct(v: unknown): number {
  return Number(String(v).replace('%', ''));
}

test('ndpi-corpus-meets-flow-packet-count-and-dpi-floors', { timeout: 600_000, skip: existsSync(score) && existsSync(corpus) ? false : `no corpus at ${corpus}` }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flowtap-corpus-')), 'score.json');
  const cli = join(repo, 'dist', 'cli.js');
  const r = spawnSync('/usr/bin/python3', [score, '--cmd', `node ${cli} -r {pcap} --format jsonl -q`, '--jobs', '2', '--json', out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout.split('\n').filter((l) => /^(failed|pcaps|expected_flows|flows_found|packet_counts_equal|dpi_|protocols_covered|hostname_equal|meta_|wall_seconds)/.test(l)).map((l) => `# ${l}\n`).join(''));
  assert.equal(r.status, 0, `dpi-score failed: ${r.stderr}`);
  const fig = (JSON.parse(readFileSync(out, 'utf8')) as { figures: Record<string, unknown> }).figures;
  assert.equal(fig.pcaps, 361);
  assert.equal(fig.pcaps_failed, 0, 'every capture must be read without failure');
  assert.ok(pct(fig.flows_found) >= FLOOR.flowsFound, `flows_found ${fig.flows_found} < ${FLOOR.flowsFound}%`);
  assert.ok(pct(fig.packet_counts_equal) >= FLOOR.packetCountsEqual, `packet_counts_equal ${fig.packet_counts_equal} < ${FLOOR.packetCountsEqual}%`);
  assert.ok(pct(fig.dpi_exact) >= FLOOR.dpiExact, `dpi_exact ${fig.dpi_exact} < ${FLOOR.dpiExact}%`);
  const covered = Number(String(fig.protocols_covered).split('/')[0]);
  assert.ok(covered >= FLOOR.protocolsCovered, `protocols_covered ${fig.protocols_covered} < ${FLOOR.protocolsCovered}`);
  assert.ok(pct(fig.hostname_equal) >= FLOOR.hostnameEqual, `hostname_equal ${fig.hostname_equal} < ${FLOOR.hostnameEqual}%`);
  for (const m of META) assert.ok(pct(fig[m]) >= FLOOR.meta, `${m} ${fig[m]} < ${FLOOR.meta}%`);
});
