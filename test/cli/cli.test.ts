/**
 * The flowtap command as users run it (`node dist/cli.js`, a child process,
 * and the bin file itself): help and version, usage errors (exit 2, one line naming the option), input
 * errors (exit 1 naming the file; a truncated capture still writes the flows
 * read before the cut), output errors (exit 3), statistics on stderr and -q,
 * -w, -v 1/2 text lines, standard input, gzip, playlists, several inputs,
 * BPF filters, an early-closing reader (`| head -1`), and ndff's bundled flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OPTIONS } from '../../src/cli/args';
import { pcapFile, PcapRecord } from '../capture/helpers';
import { CLI, ethIpv4, flowtap, parseJsonl, pcap, ROOT, scratch, shell, udp, many } from './helpers';

const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;
const VXLAN = pcap('vxlan.pcap');
const DNS = pcap('dns_fragmented.pcap');
const SIX = pcap('6in4tunnel.pcap');
const golden = (name: string): string => readFileSync(join(ROOT, 'test', 'fixtures', 'golden', name), 'utf8');

/** Asserts a usage error: exit 2, nothing on stdout, one line on stderr matching `names`. */
function assertUsage(args: string[], names: RegExp): void {
  const r = flowtap(args);
  assert.equal(r.code, 2, `${args.join(' ')}: exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${args.join(' ')}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^flowtap: /);
  assert.match(lines[0], names, args.join(' '));
}

test('--help exits 0 and mentions every option', () => {
  for (const flag of ['--help', '-h']) {
    const r = flowtap([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^flowtap - /);
    assert.match(r.stdout, /Usage: flowtap -r/);
    for (const o of OPTIONS) {
      assert.ok(r.stdout.includes(`--${o.long}`), `--${o.long} in help`);
      if (o.short) assert.ok(r.stdout.includes(`-${o.short}, --${o.long}`), `-${o.short} in help`);
    }
    assert.match(r.stdout, /Exit codes: 0 success; 1 .*2 bad command line;/s);
  }
});

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = flowtap(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `flowtap ${version}\n`);
  assert.equal(r.stderr, '');
});

test('the bin runs as an executable file: its shebang starts node with one V8 platform thread, and the records are the same', () => {
  assert.equal(readFileSync(CLI, 'latin1').split('\n')[0], '#!/usr/bin/env -S node --v8-pool-size=1');
  assert.notEqual(statSync(CLI).mode & 0o111, 0, 'dist/cli.js is executable');
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const r = spawnSync(CLI, ['-r', pcap('vxlan.pcap'), '-q'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, flowtap(['-r', pcap('vxlan.pcap'), '-q']).stdout);
  assert.ok(parseJsonl(r.stdout).length > 0);
});

test('an unknown flag exits 2 with one line naming it', () => {
  assertUsage(['--bogus'], /'--bogus'/);
  assertUsage(['-r', VXLAN, '--bogus=1'], /'--bogus'/);
  assertUsage(['-r', VXLAN, '-x'], /'-x'/);
  assertUsage(['-r', VXLAN, 'stray'], /'stray'/);
});

test('bad option values exit 2 with one line naming the option', () => {
  assertUsage(['-r', VXLAN, '-v', '7'], /-v: 7 is out of range/);
  assertUsage(['-r', VXLAN, '-n', '0'], /-n: 0 is out of range/);
  assertUsage(['-r', VXLAN, '-n', 'four'], /-n: expected a whole number/);
  assertUsage(['-r', VXLAN, '-s', 'localhost', '-p', '70000'], /-p: 70000 is out of range/);
  assertUsage(['-r', VXLAN, '-s', 'localhost', '-m', 'xml'], /-m: expected msgpack or json, got 'xml'/);
  assertUsage(['-r', VXLAN, '--format', 'csv'], /--format: expected jsonl or text, got 'csv'/);
  assertUsage(['-r', VXLAN, '--timeout', 'tcp=abc'], /--timeout: .*got 'tcp=abc'/);
  assertUsage(['-r', VXLAN, '--timeout', 'nosuch=5'], /--timeout: .*got 'nosuch=5'/);
  assertUsage(['-r', VXLAN, '--timeout', 'udp=0'], /--timeout udp: 0 is out of range/);
  assertUsage(['-r', VXLAN, '--max-flows', '8'], /--max-flows: 8 is out of range/);
  assertUsage(['-r', VXLAN, '-p', '1234'], /-p needs a fluentd server given with -s/);
  assertUsage(['-r', VXLAN, '-q=1'], /'-q' takes no value|unknown option/);
  assertUsage(['-r', VXLAN, '--quiet=yes'], /'--quiet' takes no value/);
  assertUsage(['-r'], /'-r' needs a value/);
  assertUsage(['-r', `${VXLAN},`], /-r: empty input name/);
});

test('no input exits 2', () => {
  assertUsage([], /no input/);
  assertUsage(['-q', '-v', '2'], /no input/);
});

test('-r a missing file exits 1 naming the file', () => {
  const missing = join(scratch(), 'no-such-capture.pcap');
  const r = flowtap(['-q', '-r', missing]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no-such-capture\.pcap: cannot open: ENOENT/);
});

test('a file that is not a capture exits 1 naming the file', () => {
  const junk = join(scratch(), 'junk.bin');
  writeFileSync(junk, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5]));
  const r = flowtap(['-q', '-r', junk]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /junk\.bin: not a pcap, pcapng, gzip or playlist file \(starts with de ad be ef\)/);
  const empty = join(scratch(), 'empty.pcap');
  writeFileSync(empty, '');
  const e = flowtap(['-q', '-r', empty]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /empty\.pcap: .*empty/);
});

/** Offset of the first record of a little-endian µs pcap that does not fit in `len` bytes, and records before it. */
function cutPoint(data: Buffer, len: number): { offset: number; complete: number } {
  let off = 24;
  let complete = 0;
  while (off + 16 <= len) {
    const caplen = data.readUInt32LE(off + 8);
    if (off + 16 + caplen > len) break;
    off += 16 + caplen;
    complete++;
  }
  return { offset: off, complete };
}

test('a truncated capture: flows before the cut are written, a warning names the file and byte offset, exit 0 (1 with --strict)', () => {
  const full = readFileSync(VXLAN);
  const cutAt = Math.floor(full.length / 3);
  const { offset, complete } = cutPoint(full, cutAt);
  assert.ok(offset < cutAt, 'the cut falls inside a record');
  const truncated = join(scratch(), 'vxlan-cut.pcap');
  writeFileSync(truncated, full.subarray(0, cutAt));
  const r = flowtap(['--stats-json', '-r', truncated]);
  assert.equal(r.code, 0, 'a capture cut inside its last record is a warning (src/cli/main.ts isCutShort)');
  const recs = parseJsonl(r.stdout);
  assert.ok(recs.length > 0, 'flows read before the cut are written');
  assert.equal(recs.reduce((a, x) => a + x.out_pkts + x.in_pkts, 0), complete);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 2);
  assert.match(lines[0], new RegExp(`^flowtap: warning: .*vxlan-cut\\.pcap: .*at byte offset ${offset}\\b`));
  const stats = JSON.parse(lines[1]) as { packets: number };
  assert.equal(stats.packets, complete, 'statistics are still printed');
  // Every flow of the truncated run is a flow of the full run with at most as many packets.
  const fullRecs = parseJsonl(flowtap(['-q', '-r', VXLAN]).stdout);
  for (const x of recs) {
    const y = fullRecs.find((f) => f.community_id === x.community_id);
    assert.ok(y, `flow ${x.src_addr}:${x.src_port} is in the full capture`);
    assert.ok(x.out_pkts <= y.out_pkts && x.in_pkts <= y.in_pkts);
  }
  // --strict makes it an input error; the flows are still written.
  const strict = flowtap(['-q', '--strict', '-r', truncated]);
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, r.stdout);
  assert.match(strict.stderr, new RegExp(`vxlan-cut\\.pcap: .*at byte offset ${offset}`));
  assert.doesNotMatch(strict.stderr, /warning/);
});

test('a file shorter than a capture header exits 1', () => {
  const stub = join(scratch(), 'stub.pcap');
  writeFileSync(stub, readFileSync(VXLAN).subarray(0, 10));
  const r = flowtap(['-q', '-r', stub]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /stub\.pcap: /);
});

test('-q prints nothing on stderr; by default statistics go to stderr', () => {
  const quiet = flowtap(['-q', '-r', DNS]);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stderr, '');
  const loud = flowtap(['-r', DNS]);
  assert.equal(loud.code, 0);
  assert.equal(loud.stdout, quiet.stdout);
  assert.match(loud.stderr, /^flowtap: read 66 packets \(23,170 bytes\) from .*dns_fragmented\.pcap in [\d.]+ s/);
  assert.match(loud.stderr, /flows: 21; records: 21 \(idle 11, fin 2, end_of_input 8\)/);
  assert.match(loud.stderr, /IP fragments: 7 datagrams reassembled/);
});

test('--stats-json prints one JSON object on stderr', () => {
  const r = flowtap(['--stats-json', '-r', VXLAN]);
  assert.equal(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  const s = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(s.packets, 127);
  assert.equal(s.records, 4);
  assert.equal(s.input, VXLAN);
});

test('default output is JSON Lines, identical to the golden files', () => {
  for (const name of ['vxlan', '6in4tunnel', 'dns_fragmented']) {
    const r = flowtap(['-q', '-r', pcap(`${name}.pcap`)]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, golden(`${name}.jsonl`), name);
  }
});

test('-w writes the records to the file and nothing to stdout', () => {
  const out = join(scratch(), 'records.jsonl');
  const r = flowtap(['-q', '-r', VXLAN, '-w', out]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), golden('vxlan.jsonl'));
  const r2 = flowtap(['-q', `--write=${out}`, '-r', DNS]);
  assert.equal(r2.code, 0);
  assert.equal(readFileSync(out, 'utf8'), golden('dns_fragmented.jsonl'), 'an existing file is replaced');
});

test('-w to a place that cannot be written exits 3', () => {
  const r = flowtap(['-q', '-r', VXLAN, '-w', join(scratch(), 'no-such-dir', 'out.jsonl')]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /cannot open output file .*no-such-dir/);
  const full = flowtap(['-q', '-r', VXLAN, '-w', '/dev/full']);
  assert.equal(full.code, 3);
  assert.match(full.stderr, /cannot write to \/dev\/full/);
});

test('-v 2 prints numbered text lines, one per flow', () => {
  const r = flowtap(['-q', '-v', '2', '-r', DNS]);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  const json = parseJsonl(golden('dns_fragmented.jsonl'));
  assert.equal(lines.length, json.length);
  lines.forEach((l, i) => {
    assert.match(l, new RegExp(`^\\t${i + 1}\\t(UDP|TCP) `));
    assert.match(l, /\[proto: [\d.]+\/[\w.-]+\]\[\d+ pkts\/\d+ bytes <-> \d+ pkts\/\d+ bytes\].*\[[\d.]+ s\]\[end: \w+\](\[Host: [^\]]*\])?$/);
  });
  assert.equal(lines[0], '\t1\tUDP 172.217.40.76:56680 <-> 193.24.227.238:53[proto: 5/DNS][1 pkts/82 bytes <-> 2 pkts/1778 bytes][0.000 s][end: idle][Host: weberlab.de]');
  assert.ok(lines.some((l) => l.startsWith('\t2\tUDP [2a00:1450:4013:c03::10a]:46433 <-> [2001:470:765b::a25:53]:53')));
  assert.ok(lines.some((l) => /TCP .*\[flags: [FSRPAUEC]+ <-> [FSRPAUEC]+\]/.test(l)));
  // -v 1 prints only the flows whose application is unknown (none here: all are DNS); --format jsonl overrides the implied text.
  assert.equal(flowtap(['-q', '-v', '1', '-r', DNS]).stdout, r.stdout.split('\n').filter((l) => l.includes('/Unknown]')).join('\n'));
  assert.equal(flowtap(['-q', '--format', 'text', '-r', DNS]).stdout, r.stdout);
  assert.equal(flowtap(['-q', '-v', '2', '--format', 'jsonl', '-r', DNS]).stdout, golden('dns_fragmented.jsonl'));
});

test('-r - reads a capture from standard input', () => {
  const r = flowtap(['-q', '-r', '-'], readFileSync(SIX));
  assert.equal(r.code, 0);
  assert.equal(r.stdout, golden('6in4tunnel.jsonl'));
  const z = flowtap(['-q', '-r', '-'], gzipSync(readFileSync(SIX)));
  assert.equal(z.stdout, golden('6in4tunnel.jsonl'), 'gzip on standard input');
  const s = flowtap(['-r', '-'], readFileSync(SIX));
  assert.match(s.stderr, /from stdin/);
});

test('a gzip-compressed capture is read like the plain one', () => {
  const gz = join(scratch(), 'vxlan.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(VXLAN)));
  const r = flowtap(['-q', '-r', gz]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, golden('vxlan.jsonl'));
});

/** Records without the per-run flow numbering and end reason, as a sorted multiset. */
function flowSet(text: string): string[] {
  return parseJsonl(text)
    .map((r) => JSON.stringify({ ...r, flow_id: 0, flow_end_reason: '' }))
    .sort();
}

test('a playlist with comments and blank lines reads its captures in turn', () => {
  const dir = scratch();
  copyFileSync(DNS, join(dir, 'dns.pcap'));
  const list = join(dir, 'list.txt');
  writeFileSync(list, `# two captures\n\ndns.pcap\n   # indented comment\n${VXLAN}\n\n`);
  const r = flowtap(['-q', '-r', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(flowSet(r.stdout), [...flowSet(golden('dns_fragmented.jsonl')), ...flowSet(golden('vxlan.jsonl'))].sort());
  const s = flowtap(['--stats-json', '-r', list]);
  assert.equal((JSON.parse(s.stderr) as { packets: number }).packets, 66 + 127);
});

test('-r a,b reads both inputs: the records are the union', () => {
  const r = flowtap(['-q', '-r', `${DNS},${VXLAN}`]);
  assert.equal(r.code, 0);
  const expected = [...flowSet(golden('dns_fragmented.jsonl')), ...flowSet(golden('vxlan.jsonl'))].sort();
  assert.deepEqual(flowSet(r.stdout), expected);
  // Flow numbers stay unique across inputs.
  const ids = parseJsonl(r.stdout).map((x) => x.flow_id);
  assert.equal(new Set(ids).size, ids.length);
  // -i is ndff's spelling of the same thing; repeated -r adds inputs.
  assert.deepEqual(flowSet(flowtap(['-q', '-i', `${DNS},${VXLAN}`]).stdout), expected);
  assert.deepEqual(flowSet(flowtap(['-q', '-r', DNS, '-r', VXLAN]).stdout), expected);
});

test('a missing second input: the first is still written, exit 1 naming the missing file', () => {
  const missing = join(scratch(), 'second-missing.pcap');
  const r = flowtap(['-q', '-r', `${VXLAN},${missing}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /second-missing\.pcap: cannot open/);
});

test("-f 'udp' keeps only UDP flows", { skip: HAVE_TCPDUMP ? false : 'tcpdump is not installed' }, () => {
  const r = flowtap(['-q', '-f', 'udp', '-r', DNS]);
  assert.equal(r.code, 0, r.stderr);
  const recs = parseJsonl(r.stdout);
  const all = parseJsonl(golden('dns_fragmented.jsonl'));
  assert.ok(all.some((x) => x.protocol === 'TCP'));
  assert.ok(recs.length > 0 && recs.every((x) => x.protocol === 'UDP'));
  assert.equal(recs.length, all.filter((x) => x.protocol === 'UDP').length);
  const s = flowtap(['-f', 'udp', '-r', DNS]);
  assert.match(s.stderr, /filtered out: 20/);
  const tcpOnly = parseJsonl(flowtap(['-q', '--filter=tcp port 53', '-r', DNS]).stdout);
  assert.deepEqual(tcpOnly.map((x) => x.protocol), ['TCP', 'TCP']);
});

test('an invalid BPF filter exits 2 naming the expression', { skip: HAVE_TCPDUMP ? false : 'tcpdump is not installed' }, () => {
  const r = flowtap(['-q', '-f', 'udp and (', '-r', DNS]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /'udp and \('/);
});

test('`| head -1` (EPIPE) ends quietly with exit 0', () => {
  const r = shell(`"${process.execPath}" "${CLI}" -r "${many()}" | head -1; exit \${PIPESTATUS[0]}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1);
  assert.equal((JSON.parse(r.stdout) as { src_addr: string }).src_addr, '10.0.0.0');
  assert.doesNotMatch(r.stderr, /EPIPE|error|Error/);
  assert.match(r.stderr, /^flowtap: read 5,000 packets/, 'statistics are still printed');
  const q = shell(`"${process.execPath}" "${CLI}" -q -v 2 -r "${many()}" | head -1; exit \${PIPESTATUS[0]}`);
  assert.equal(q.code, 0);
  assert.equal(q.stderr, '');
});

test('ndff bundled flags: -qT is -q -T', () => {
  const r = flowtap(['-qT', '-r', VXLAN]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, golden('vxlan.jsonl'));
  const r2 = flowtap(['-Tq', '-r', VXLAN]);
  assert.equal(r2.stdout, golden('vxlan.jsonl'));
});

test('--no-tunnels accounts the outer packets', () => {
  const r = flowtap(['-q', '--no-tunnels', '-r', VXLAN]);
  assert.equal(r.code, 0);
  const recs = parseJsonl(r.stdout);
  assert.ok(recs.length > 4);
  assert.ok(recs.every((x) => x.tunnel === '' && x.protocol === 'UDP' && (x.dst_port === 4789 || x.src_port === 4789)));
  assert.equal(recs.reduce((a, x) => a + x.out_pkts + x.in_pkts, 0), 127);
});

test('--timeout and --max-flows reach the flow table', () => {
  const t = parseJsonl(flowtap(['-q', '--timeout', 'udp=1,tcp-closed=1', '-r', DNS]).stdout);
  const d = parseJsonl(golden('dns_fragmented.jsonl'));
  assert.ok(t.filter((x) => x.flow_end_reason === 'idle').length > d.filter((x) => x.flow_end_reason === 'idle').length);
  const m = flowtap(['--stats-json', '--max-flows', '16', '-r', many()]);
  const stats = JSON.parse(m.stderr) as { records_by_end_reason: Record<string, number> };
  assert.deepEqual(stats.records_by_end_reason, { end_of_input: 16, evicted: 4984 });
  assert.equal(parseJsonl(m.stdout).filter((x) => x.flow_end_reason === 'evicted').length, 4984);
});
