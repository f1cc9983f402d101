/**
 * Sizes and durations as the configuration file writes them: accepted
 * spellings, refused ones, and printing back to a form that parses to the
 * same value. Also the "did you mean" distance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, suggest } from '../../src/config/schema';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/config/units';
import { rng } from '../support/common';

test('sizes: plain bytes, binary and SI units, case-insensitive, fractions rounded down', () => {
  const cases: [string | number, number][] = [
    [4096, 4096], ['4096', 4096], ['64k', 65536], ['64K', 65536], ['64KiB', 65536], ['64kb', 64000], ['500MB', 500e6],
    ['8M', 8 << 20], ['1GiB', 2 ** 30], ['1 GiB', 2 ** 30], ['2g', 2 ** 31], ['1TB', 1e12], ['1.5KiB', 1536], ['0.3k', 307], ['12b', 12],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, String(text));
  for (const bad of ['', 'k', '-1', '1.5.2', '12XB', '1e3', 'ten', '1 2', '1constructor', -4, 1.5, Infinity, '99999999999999999999'] as const) {
    assert.equal(parseSize(bad), undefined, String(bad));
  }
});

test('durations: plain seconds, ms/s/m/h/d parts, compounds', () => {
  const cases: [string | number, number][] = [
    [30, 30_000], [0.25, 250], ['30', 30_000], ['250ms', 250], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000],
    ['2d', 172_800_000], ['1h30m', 5_400_000], ['1m30s500ms', 90_500], ['1.5s', 1500], ['0s', 0],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, String(text));
  for (const bad of ['', 's', '5 m', '5min', '1h 30m', '-1s', 'forever', '1w', -1, NaN] as const) {
    assert.equal(parseDuration(bad), undefined, String(bad));
  }
});

test('printing sizes and durations gives text that parses to the same value', () => {
  assert.equal(formatSize(64 << 20), '64MiB');
  assert.equal(formatSize(1500), '1500');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(0), '0s');
  const r = rng(7);
  for (let i = 0; i < 2000; i++) {
    const n = Math.floor(r() * 2 ** (1 + Math.floor(r() * 44)));
    assert.equal(parseSize(formatSize(n)), n, `size ${n}`);
    assert.equal(parseDuration(formatDuration(n)), n, `duration ${n}`);
  }
});

test('did you mean: typos, swapped letters, case and -/_ differences; nothing for unrelated words', () => {
  assert.equal(editDistance('jsnol', 'jsonl'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(suggest('jsnol', ['jsonl', 'text']), 'jsonl');
  assert.equal(suggest('prot', ['host', 'port', 'tag']), 'port');
  assert.equal(suggest('tcp_opening', ['tcp-opening', 'tcp']), 'tcp-opening');
  assert.equal(suggest('Index_Prefix', ['index_prefix', 'url']), 'index_prefix');
  assert.equal(suggest('colour', ['level', 'syslog', 'stats']), undefined);
  assert.equal(suggest('x', ['y']), 'y', 'one letter may differ in a one-letter key');
});
