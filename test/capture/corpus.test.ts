/**
 * Cross-check of the capture readers against Wireshark's on the nDPI corpus
 * (../shared/corpus/ndpi/pcap beside the repository, or FLOWTAP_CORPUS):
 * frame by frame against tshark for a few captures covering each variant,
 * and packet counts against capinfos for every capture. Skipped when the
 * corpus or the tools are missing.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCaptureInput } from '../../src/capture/file-source';
import { drain, isCaptureError, parseTshark } from './helpers';

const CORPUS = process.env.FLOWTAP_CORPUS ?? join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'ndpi', 'pcap');

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

const noCorpus = existsSync(CORPUS) ? false : `corpus not found at ${CORPUS}`;

/**
 * Captures covering each reader path, with what makes them interesting.
 * fuzz-2021-10-13.pcap's only frame has 1882137472 in its nanosecond field,
 * which tshark prints cut to nine digits (…802.188213747); we carry the
 * excess into the seconds, so its time is checked separately.
 */
const CROSS_CHECK: Array<[string, string]> = [
  ['1kxun.pcap', 'little-endian microsecond pcap, 1723 frames, 2.5 MB (several chunks)'],
  ['nfsv2.pcap', 'big-endian pcap, version 2.1'],
  ['someip_sd_sample.pcap', 'nanosecond pcap, PPI link type'],
  ['anydesk.pcapng', 'pcapng with three interfaces'],
  ['sites.pcapng', 'pcapng with 22 interfaces'],
  ['fuzz-2021-10-13.pcap', 'version 2.0 (swapped lengths), truncated after one frame'],
];

for (const [name, why] of CROSS_CHECK) {
  test(`corpus ${name} (${why}) matches tshark frame by frame`, { skip: noCorpus || (!tool('tshark') && 'tshark not installed') }, async () => {
    const file = join(CORPUS, name);
    const ts = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.interface_id', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const expected = parseTshark(ts.stdout);
    assert.ok(expected.length > 0, `tshark read nothing: ${ts.stderr}`);
    const r = await drain(await openCaptureInput(file, { chunkSize: 1 << 16 }));
    if (ts.status === 0) assert.equal(r.error, null, String(r.error));
    else assert.ok(isCaptureError(r.error, 'E_INPUT_TRUNCATED'), `tshark failed (${ts.stderr.trim()}), we said ${String(r.error)}`);
    assert.equal(r.frames.length, expected.length);
    const linkTypeOf = new Map<number, number>();
    for (let i = 0; i < expected.length; i++) {
      const f = r.frames[i], e = expected[i];
      assert.equal(f.caplen, e.caplen, `frame ${i} caplen`);
      assert.equal(f.wireLen, e.len, `frame ${i} len`);
      const eTs = name === 'fuzz-2021-10-13.pcap' ? 980658802000 + 1882137472 / 1e6 : e.tsMs;
      assert.ok(Math.abs(f.tsMs - eTs) < 1e-3, `frame ${i} time ${f.tsMs} vs ${eTs}`);
      const lt = linkTypeOf.get(e.ifid);
      if (lt === undefined) linkTypeOf.set(e.ifid, f.linkType);
      else assert.equal(f.linkType, lt, `frame ${i}: interface ${e.ifid} keeps its link type`);
    }
  });
}

test('every corpus capture: packet count equals capinfos, and only the captures capinfos fails on fail', { skip: noCorpus || (!tool('capinfos') && 'capinfos not installed') }, async () => {
  const names = readdirSync(CORPUS).sort();
  const ci = spawnSync('capinfos', ['-T', '-r', '-c', ...names], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 16 << 20 });
  const counts = new Map<string, number>();
  for (const line of ci.stdout.split('\n')) {
    const [n, c] = line.split('\t');
    if (n && c !== undefined) counts.set(n, Number(c));
  }
  const failing = new Set([...ci.stderr.matchAll(/An error occurred after reading \d+ packets from "([^"]+)"/g)].map((m) => m[1]));
  assert.ok(counts.size > 100, `capinfos listed ${counts.size} captures`);
  for (const name of names) {
    const r = await drain(await openCaptureInput(join(CORPUS, name)));
    assert.equal(r.frames.length, counts.get(name), `${name}: packet count`);
    if (failing.has(name)) assert.ok(isCaptureError(r.error), `${name}: capinfos fails, we said ${String(r.error)}`);
    else assert.equal(r.error, null, `${name}: ${String(r.error)}`);
  }
});
