// BpfFilter against tcpdump itself: for corpus captures of several link
// types and a set of expressions, the packets we keep are exactly those
// `tcpdump -r file -w - expr` keeps. Also the compile errors, the per-link
// type cache, and the per-packet cost. Skipped when tcpdump or the corpus is
// missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BpfError } from '../../src/capture/bpf';
import { compileBpfSync, pcapHeaderFor } from '../../src/capture/bpf-compile';
import { BpfFilter } from '../../src/capture/bpf-filter';

const CORPUS = process.env.FLOWTAP_CORPUS ?? resolve(__dirname, '../../../../shared/corpus/ndpi/pcap');
const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;
const skip = !HAVE_TCPDUMP ? 'tcpdump is not installed' : !existsSync(CORPUS) ? `no corpus at ${CORPUS}` : false;

interface Rec {
  tsSec: number;
  tsFrac: number;
  caplen: number;
  wireLen: number;
  data: Buffer;
}

/**
 * Minimal classic pcap reader (both byte orders, micro- and nanosecond
 * magic). Like libpcap, it swaps caplen and len in files older than version
 * 2.3 when caplen > len (some old writers stored them the other way round).
 */
function readPcap(bytes: Buffer): { linkType: number; bigEndian: boolean; records: Rec[] } {
  const magicLE = bytes.readUInt32LE(0);
  let bigEndian: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) bigEndian = false;
  else if (bytes.readUInt32BE(0) === 0xa1b2c3d4 || bytes.readUInt32BE(0) === 0xa1b23c4d) bigEndian = true;
  else throw new Error('not a classic pcap file');
  const u32 = (o: number) => (bigEndian ? bytes.readUInt32BE(o) : bytes.readUInt32LE(o));
  const u16 = (o: number) => (bigEndian ? bytes.readUInt16BE(o) : bytes.readUInt16LE(o));
  const maybeSwapped = u16(4) < 2 || (u16(4) === 2 && u16(6) < 3);
  const linkType = u32(20) & 0x03ffffff;
  const records: Rec[] = [];
  let o = 24;
  while (o + 16 <= bytes.length) {
    let caplen = u32(o + 8);
    let wireLen = u32(o + 12);
    if (maybeSwapped && caplen > wireLen) [caplen, wireLen] = [wireLen, caplen];
    if (o + 16 + caplen > bytes.length) break;
    records.push({ tsSec: u32(o), tsFrac: u32(o + 4), caplen, wireLen, data: bytes.subarray(o + 16, o + 16 + caplen) });
    o += 16 + caplen;
  }
  return { linkType, bigEndian, records };
}

/** Indexes of the input records that tcpdump keeps, or null when tcpdump refuses the expression. */
function tcpdumpKeeps(file: string, records: Rec[], expr: string): number[] | null {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', '--', expr], { maxBuffer: 256 * 1024 * 1024 });
  // tcpdump writes the file header only once the expression compiled; it
  // exits non-zero on a truncated input after writing what it read
  if (r.stdout.length < 24) return null;
  const out = readPcap(r.stdout).records;
  const kept: number[] = [];
  let i = 0;
  for (const w of out) {
    while (i < records.length) {
      const x = records[i];
      i++;
      // tcpdump -w writes microseconds, so fractions of nanosecond inputs differ
      if (x.tsSec === w.tsSec && x.caplen === w.caplen && x.wireLen === w.wireLen && x.data.equals(w.data)) {
        kept.push(i - 1);
        break;
      }
    }
  }
  assert.equal(kept.length, out.length, `${file} '${expr}': tcpdump's output records not found in the input`);
  return kept;
}

/** A big-endian copy of a LINKTYPE_NULL capture, with the family field swapped as a big-endian host writes it. */
function toBigEndianNull(src: Buffer): Buffer {
  const { records } = readPcap(src);
  const parts: Buffer[] = [pcapHeaderFor(0, true)];
  for (const r of records) {
    const h = Buffer.alloc(16);
    h.writeUInt32BE(r.tsSec, 0);
    h.writeUInt32BE(r.tsFrac, 4);
    h.writeUInt32BE(r.caplen, 8);
    h.writeUInt32BE(r.wireLen, 12);
    const d = Buffer.from(r.data);
    if (d.length >= 4) d.writeUInt32BE(r.data.readUInt32LE(0), 0);
    parts.push(h, d);
  }
  return Buffer.concat(parts);
}

const FILES = [
  'vxlan.pcap', // Ethernet, VLAN tags
  'bot.pcap', // Ethernet, VLAN tags
  'fuzz-2006-06-26-2594.pcap', // Ethernet, big-endian file, fuzzed frames
  'dns_fragmented.pcap', // Ethernet, IPv6 fragment headers (protochain)
  'KakaoTalk_chat.pcap', // LINUX_SLL
  'gaijin_mobile_mixed.pcap', // RAW
  'opc-ua.pcap', // NULL
  'fuzz-2021-10-13.pcap', // NULL, nanosecond
  'dlt_ppp.pcap', // PPP
  'BGP_Cisco_hdlc_slarp.pcap', // PPP
  'someip_sd_sample.pcap', // PPI
];

const EXPRESSIONS = [
  'tcp',
  'udp port 53',
  'host 192.168.1.1 or ip6',
  'tcp[tcpflags] & tcp-syn != 0',
  'vlan and udp',
  'net 10.0.0.0/8',
  'portrange 1-1024',
  'greater 500',
  'ip6 protochain 6',
  'icmp or arp or ip6 multicast',
  'ip[6:2] & 0x3fff != 0 or ip6[6] = 44',
  'udp and (len - 42) % 4 = 0 and ip[8] < 128',
  'udp',
  'vlan and tcp port 80',
  'host 127.0.0.1 and tcp[13] & 0x12 = 0x12',
  'len >= 60 and not ip',
];

test('bpf-tcpdump: the packets kept equal those tcpdump keeps, per file and expression', { skip }, (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'flowtap-bpf-'));
  try {
    const beNull = join(tmp, 'nats-big-endian-null.pcap');
    writeFileSync(beNull, toBigEndianNull(readFileSync(join(CORPUS, 'nats.pcap'))));
    const files = [...FILES.map((f) => join(CORPUS, f)), beNull];
    const loaded = files.map((f) => ({ file: f, ...readPcap(readFileSync(f)) }));
    assert.ok(loaded.some((l) => l.linkType === 0 && l.bigEndian));
    let compared = 0;
    let keptTotal = 0;
    let refused = 0;
    for (const expr of EXPRESSIONS) {
      const warnings = new Map<number, string>();
      const filter = BpfFilter.compile(expr, { onWarning: (m, lt) => warnings.set(lt, m) });
      for (const { file, linkType, records } of loaded) {
        const ours: number[] = [];
        records.forEach((r, i) => {
          if (filter.matches(linkType, r.data, 0, r.caplen, r.wireLen)) ours.push(i);
        });
        const theirs = tcpdumpKeeps(file, records, expr);
        if (theirs === null) {
          assert.deepEqual(ours, [], `${file} '${expr}': tcpdump refuses it, so nothing may be kept`);
          assert.ok(warnings.has(linkType), `${file} '${expr}': expected a warning for link type ${linkType}`);
          refused++;
          continue;
        }
        assert.deepEqual(ours, theirs, `${file} (link type ${linkType}) '${expr}'`);
        compared++;
        keptTotal += ours.length;
      }
    }
    assert.ok(keptTotal > 1000, `only ${keptTotal} packets kept overall: the expressions test too little`);
    t.diagnostic(`${compared} file/expression pairs agree (${keptTotal} packets kept); ${refused} refused by tcpdump and by us`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('bpf-tcpdump: a bad expression is a typed error carrying tcpdump\'s message', { skip: HAVE_TCPDUMP ? false : 'tcpdump is not installed' }, async () => {
  const check = (e: unknown, re: RegExp): boolean => {
    assert.ok(e instanceof BpfError, String(e));
    assert.equal(e.code, 'E_BPF');
    assert.equal(e.reason, 'expression');
    assert.match(e.message, re);
    return true;
  };
  assert.throws(() => BpfFilter.compile('tcp prot 80'), (e) => check(e, /^invalid BPF filter 'tcp prot 80': syntax error$/));
  assert.throws(() => BpfFilter.compile('net 10.0.0.1/8'), (e) => check(e, /non-network bits set in "10.0.0.1\/8"/));
  assert.throws(() => BpfFilter.compile('-x'), (e) => check(e, /syntax error/));
  await assert.rejects(BpfFilter.create('port 99999999'), (e) => check(e, /^invalid BPF filter 'port 99999999': /));
  assert.throws(
    () => compileBpfSync('ether host 1:2:3:4:5:6', { linkType: 101 }),
    (e) => check(e, /^invalid BPF filter 'ether host 1:2:3:4:5:6' for link type RAW \(101\): ethernet addresses/),
  );
});

test('bpf-tcpdump: a missing tcpdump is a clear error', async () => {
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof BpfError);
    assert.equal(e.reason, 'tcpdump');
    assert.match(e.message, /tcpdump, which was not found .*install tcpdump/);
    return true;
  };
  assert.throws(() => BpfFilter.compile('tcp', { tcpdump: '/nonexistent/tcpdump' }), check);
  await assert.rejects(BpfFilter.create('tcp', { tcpdump: '/nonexistent/tcpdump' }), check);
});

test('bpf-tcpdump: programs are compiled once per link type, ahead with prepare() or on first use', { skip: HAVE_TCPDUMP ? false : 'tcpdump is not installed' }, async () => {
  const warnings: Array<[number, string]> = [];
  const onWarning = (m: string, lt: number) => warnings.push([lt, m]);
  const f = await BpfFilter.create('ip6', { onWarning });
  await f.prepare([1, 113, 101, 14, 228, 0, 1]);
  // LINKTYPE_IPV4 can never carry IPv6
  assert.deepEqual(warnings, [[228, "BPF filter 'ip6' can never match on link type IPV4: all its packets are skipped"]]);
  warnings.length = 0;
  const eth = await BpfFilter.create('ether host 1:2:3:4:5:6', { onWarning });
  await eth.prepare([101, 14]);
  eth.matches(113, Buffer.alloc(20), 0, 20, 20);
  assert.deepEqual(warnings.map(([lt]) => lt).sort((a, b) => a - b), [14, 101, 113], 'no Ethernet addresses on raw IP or cooked captures');
  assert.match(warnings[0][1], /^invalid BPF filter 'ether host 1:2:3:4:5:6' for link type RAW \((101|14)\): ethernet addresses .*: all packets of this link type are skipped$/);
  const ip6 = Buffer.alloc(40);
  ip6[0] = 0x60;
  assert.equal(eth.matches(101, ip6, 0, 40, 40), false, 'link type refused: everything is skipped');
  assert.equal(f.matches(101, ip6, 0, 40, 40), true);
  assert.equal(f.matches(229, ip6, 0, 40, 40), true, 'compiled on first use');
  assert.strictEqual(f.programFor(229), f.programFor(229));
  // LINKTYPE_NULL: the family field in either byte order
  const lo = Buffer.alloc(44);
  lo.writeUInt32LE(24, 0);
  lo[4] = 0x60;
  assert.equal(f.matches(0, lo, 0, 44, 44), true);
  lo.writeUInt32BE(24, 0);
  assert.equal(f.matches(0, lo, 0, 44, 44), true);
  lo.writeUInt32BE(2, 0);
  assert.equal(f.matches(0, lo, 0, 44, 44), false);
  assert.notStrictEqual(f.programFor(0, true), f.programFor(0, false));
  // the empty expression keeps everything, like tcpdump with no expression
  assert.equal(BpfFilter.compile('').matches(1, Buffer.alloc(0), 0, 0, 0), true);
});

test('bpf-tcpdump: per-packet cost on a real capture', { skip }, (t) => {
  const { linkType, records } = readPcap(readFileSync(join(CORPUS, '1kxun.pcap')));
  for (const expr of ['tcp port 80', 'host 192.168.1.1 or ip6', 'udp and portrange 1-1024', 'ip6 protochain 6']) {
    const f = BpfFilter.compile(expr);
    f.programFor(linkType);
    let calls = 0;
    let kept = 0;
    const start = process.hrtime.bigint();
    const until = start + 250_000_000n;
    while (process.hrtime.bigint() < until) {
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if (f.matches(linkType, r.data, 0, r.caplen, r.wireLen)) kept++;
      }
      calls += records.length;
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = calls / secs;
    t.diagnostic(`'${expr}' (${f.programFor(linkType).length} insns): ${(rate / 1e6).toFixed(1)} M matches()/s, ${(1e9 / rate).toFixed(0)} ns per packet, kept ${kept} of ${calls}`);
    assert.ok(rate > 200_000, `${expr}: only ${rate.toFixed(0)} calls/s`);
  }
});
