#!/usr/bin/env node
/**
 * Acceptance run of the fluentd forward sink on the bench input (issue 4):
 * does every flow of bench/data/bench.pcap reach a forward receiver, in
 * msgpack and json, steady, with the receiver down at start, across a 30 s
 * outage mid-run and after a receiver that never acks; and how fast is a run
 * with the sink on compared with JSON Lines to /dev/null.
 *
 *   node bench/forward-acceptance.js [--only <text>] [--rounds <n>]
 *                                    [--no-acceptance] [--no-throughput] [--keep]
 *                                    [--cli <path to cli.js>]
 *
 * Reference: `flowtap -r bench.pcap --format jsonl -w ref.jsonl -q`. Each
 * acceptance run is `flowtap -r bench.pcap -s 127.0.0.1 -p <port> -m <enc>
 * --spool-dir <fresh dir> --drain-timeout 300 --stats-json` (no -q: with -q
 * the statistics are not printed), against one of two receivers, each a
 * separate process writing every event it receives as one JSON line to a file
 * before it acks the chunk:
 *   python  test/export/fluent/peers/receiver.py under /usr/bin/python3
 *           (Debian's python3-msgpack): msgpack and json
 *   fluent  @fluent-org/logger's FluentServer (this file, run with
 *           --fluent-server-peer): msgpack only, it cannot read JSON
 * Scenarios:
 *   steady    receiver up all the time
 *   down      receiver started 5 s after flowtap
 *   outage    receiver stopped (SIGTERM) once it wrote ~1/3 of the records,
 *             started again on the same port 30 s later
 *   noack     receiver never acks for 40 s (flowtap's ack timeout is 30 s),
 *             then is restarted acking
 * The received events are matched with the reference as a multiset of
 * (community_id, first_switched_ms, record_seq, flow_id); every record must
 * arrive, with the reference's exact content and event time; extra copies
 * are accepted only when flowtap's statistics count retries and the copies
 * came in the same chunk id (a resent chunk).
 *
 * Throughput: per round (--rounds, default 3), interleaved, flowtap with
 * `--format jsonl -w /dev/null -q` and with `-s` (`-q`, fresh spool) to an
 * ack-only receiver (this file with --ack-only-peer: reads msgpack framing,
 * acks, decodes no event; the cost of flowtap alone), to FluentServer and to
 * the python receiver (msgpack and json), under GNU time: wall time until
 * flowtap exits (with acks on, every record acknowledged) and user+sys CPU of
 * flowtap alone; medians and the ratio to JSON Lines. The receivers run on
 * the same machine and compete with flowtap for its CPUs.
 *
 * --cli runs another build of flowtap (default dist/cli.js), e.g. to compare
 * two versions. --only keeps the runs whose name (e.g. "python/json/outage",
 * "throughput") contains the text. Temporary files go to a fresh directory
 * under the system temp dir, removed at the end unless --keep. Needs
 * dist/cli.js (npm run build), bench/data/bench.pcap (bench/build-input.sh),
 * /usr/bin/time (GNU time), /usr/bin/python3 with python3-msgpack, and the
 * dev dependency @fluent-org/logger.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.resolve(__dirname, '..');
const PCAP = path.join(ROOT, 'bench', 'data', 'bench.pcap');
let CLI = path.join(ROOT, 'dist', 'cli.js');
const PYTHON = '/usr/bin/python3';
const RECEIVER_PY = path.join(ROOT, 'test', 'export', 'fluent', 'peers', 'receiver.py');
const GNU_TIME = '/usr/bin/time';

const DOWN_AT_START_MS = 5_000;
const OUTAGE_MS = 30_000;
const NOACK_MS = 40_000;

// ---- the FluentServer peer (a separate process) -------------------------------

/**
 * FluentServer on --port, every entry appended to --out as
 * {"tag","time","nsec","chunk","record"}; the first stdout line is
 * {"listening": port}. --no-ack: chunks are never acked. Lines are written
 * in batches (every 50 ms) and on SIGTERM before exiting; FluentServer acks a
 * chunk and emits its entries in the same tick, so a SIGTERM never separates
 * an ack from its entries.
 */
function fluentServerPeer(argv) {
  const opt = { port: 0, out: null, noAck: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') opt.port = Number(argv[++i]);
    else if (argv[i] === '--out') opt.out = argv[++i];
    else if (argv[i] === '--no-ack') opt.noAck = true;
  }
  const protocol = require('@fluent-org/logger/build/src/protocol');
  const { FluentServer } = require('@fluent-org/logger');
  // FluentServer calls protocol.parseTransport(message) and then emits the entries synchronously: remember the chunk id.
  let chunk = null;
  const parse = protocol.parseTransport;
  protocol.parseTransport = (message) => {
    const r = parse(message);
    chunk = r.chunk ?? null;
    if (opt.noAck) r.chunk = undefined;
    return r;
  };
  const fd = fs.openSync(opt.out, 'a');
  let lines = [];
  const flush = () => {
    if (lines.length === 0) return;
    fs.writeSync(fd, lines.join(''));
    lines = [];
  };
  const server = new FluentServer({ listenOptions: { port: opt.port, host: '127.0.0.1' } });
  server.on('entry', (tag, time, record) => {
    const t = typeof time === 'number' ? { time, nsec: null } : { time: time.epoch, nsec: time.nano };
    lines.push(JSON.stringify({ tag, time: t.time, nsec: t.nsec, chunk, record }) + '\n');
    if (lines.length >= 4096) flush();
  });
  setInterval(flush, 50);
  process.on('SIGTERM', () => {
    flush();
    process.exit(0);
  });
  server.listen().then(() => process.stdout.write(JSON.stringify({ listening: server.port }) + '\n'));
}

/**
 * A forward server that does as little as possible (a throughput target that
 * leaves the CPUs to flowtap): reads msgpack Forward/PackedForward messages
 * only as far as their framing and option map, acks each chunk and counts
 * the events from option.size; writes no events. On SIGTERM prints
 * {"events": n} and exits. First stdout line: {"listening": port}.
 */
function ackOnlyPeer(argv) {
  const port = Number(argv[argv.indexOf('--port') + 1] ?? 0);
  let events = 0;
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      let off = 0;
      for (;;) {
        const msg = readMessage(buf, off);
        if (msg === null) break;
        off = msg.end;
        events += msg.size;
        if (msg.chunk !== null) socket.write(Buffer.concat([Buffer.from([0x81, 0xa3]), Buffer.from('ack'), msgpackStr(msg.chunk)]));
      }
      buf = buf.subarray(off);
    });
    socket.on('error', () => socket.destroy());
  });
  process.on('SIGTERM', () => {
    process.stdout.write(JSON.stringify({ events }) + '\n');
    process.exit(0);
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(JSON.stringify({ listening: server.address().port }) + '\n'));
}

function msgpackStr(s) {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([b.length < 32 ? Buffer.from([0xa0 | b.length]) : Buffer.from([0xd9, b.length]), b]);
}

/** One [tag, entries, option] message at off: { end, size, chunk }, or null when incomplete. */
function readMessage(b, off) {
  if (off >= b.length) return null;
  const n = b[off] & 0x0f;
  if ((b[off] & 0xf0) !== 0x90 || n < 2) throw new Error(`ack-only peer: not a forward message (0x${b[off].toString(16)})`);
  let p = skip(b, off + 1); // tag
  if (p < 0) return null;
  const entriesAt = p;
  p = skip(b, p);
  if (p < 0) return null;
  let size = 0;
  let chunk = null;
  if (n >= 3) {
    const o = readMap(b, p);
    if (o === null) return null;
    p = o.end;
    size = typeof o.map.size === 'number' ? o.map.size : 0;
    chunk = typeof o.map.chunk === 'string' ? o.map.chunk : null;
  }
  if (size === 0 && (b[entriesAt] & 0xf0) === 0x90) size = b[entriesAt] & 0x0f;
  return { end: p, size, chunk };
}

/** A map of strings and non-negative integers at p: { map, end }, or null when incomplete. */
function readMap(b, p) {
  if (p >= b.length) return null;
  let n;
  if ((b[p] & 0xf0) === 0x80) {
    n = b[p] & 0x0f;
    p += 1;
  } else throw new Error('ack-only peer: the option is not a small map');
  const map = {};
  for (let i = 0; i < n; i++) {
    const k = readScalar(b, p);
    if (k === null) return null;
    const v = readScalar(b, k.end);
    if (v === null) return null;
    map[k.value] = v.value;
    p = v.end;
  }
  return { map, end: p };
}

function readScalar(b, p) {
  const end = skip(b, p);
  if (end < 0) return null;
  const t = b[p];
  let value = null;
  if (t < 0x80) value = t;
  else if (t === 0xcc) value = b[p + 1];
  else if (t === 0xcd) value = b.readUInt16BE(p + 1);
  else if (t === 0xce) value = b.readUInt32BE(p + 1);
  else if ((t & 0xe0) === 0xa0) value = b.toString('utf8', p + 1, end);
  else if (t === 0xd9) value = b.toString('utf8', p + 2, end);
  return { value, end };
}

/** The end of the msgpack value at p, or -1 when the buffer ends first. */
function skip(b, p) {
  if (p >= b.length) return -1;
  const t = b[p];
  const need = (q) => (q <= b.length ? q : -1);
  const items = (q, count) => {
    for (let i = 0; i < count; i++) {
      q = skip(b, q);
      if (q < 0) return -1;
    }
    return q;
  };
  if (t < 0x80 || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return p + 1;
  if ((t & 0xf0) === 0x80) return items(p + 1, (t & 0x0f) * 2);
  if ((t & 0xf0) === 0x90) return items(p + 1, t & 0x0f);
  if ((t & 0xe0) === 0xa0) return need(p + 1 + (t & 0x1f));
  if (p + 5 > b.length) return -1;
  switch (t) {
    case 0xc4: case 0xd9: return need(p + 2 + b[p + 1]);
    case 0xc5: case 0xda: return need(p + 3 + b.readUInt16BE(p + 1));
    case 0xc6: case 0xdb: return need(p + 5 + b.readUInt32BE(p + 1));
    case 0xcc: case 0xd0: return need(p + 2);
    case 0xcd: case 0xd1: return need(p + 3);
    case 0xce: case 0xd2: case 0xca: return need(p + 5);
    case 0xcf: case 0xd3: case 0xcb: return need(p + 9);
    case 0xd4: return need(p + 3);
    case 0xd5: return need(p + 4);
    case 0xd6: return need(p + 6);
    case 0xd7: return need(p + 10);
    case 0xd8: return need(p + 18);
    case 0xc7: return need(p + 3 + b[p + 1]);
    case 0xc8: return need(p + 4 + b.readUInt16BE(p + 1));
    case 0xc9: return need(p + 6 + b.readUInt32BE(p + 1));
    case 0xdc: return items(p + 3, b.readUInt16BE(p + 1));
    case 0xdd: return items(p + 5, b.readUInt32BE(p + 1));
    case 0xde: return items(p + 3, b.readUInt16BE(p + 1) * 2);
    case 0xdf: return items(p + 5, b.readUInt32BE(p + 1) * 2);
    default: throw new Error(`ack-only peer: unknown msgpack byte 0x${t.toString(16)}`);
  }
}

// ---- helpers ---------------------------------------------------------------------

const children = new Set();

function killChildren() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('SIGINT', () => {
  killChildren();
  process.exit(130);
});

function log(msg) {
  process.stderr.write(`forward-acceptance: ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command; resolves with its exit code, stderr, wall seconds and (with GNU time) user/sys seconds. */
function run(cmd, args, { timeFile } = {}) {
  const argv = timeFile ? [GNU_TIME, '-f', '%e %U %S', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(p);
    let stderr = '';
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
    });
    p.once('error', reject);
    p.once('close', (code, signal) => {
      children.delete(p);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const r = { code: code ?? `signal ${signal}`, stderr, wall };
      if (timeFile) {
        const f = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        Object.assign(r, { wall: f[0], user: f[1], sys: f[2] });
      }
      resolve(r);
    });
  });
}

/** A forward receiver process (python or fluent) on a fixed port, appending events to one file across restarts. */
class Receiver {
  constructor(kind, port, out) {
    this.kind = kind;
    this.port = port;
    this.out = out;
    this.proc = null;
    this.counted = 0;
    this.countedBytes = 0;
    fs.writeFileSync(out, '');
  }

  async start({ noAck = false } = {}) {
    const extra = noAck ? ['--no-ack'] : [];
    const [cmd, args] =
      this.kind === 'python'
        ? [PYTHON, [RECEIVER_PY, '--port', String(this.port), '--out', this.out, ...extra]]
        : this.kind === 'fluent'
          ? [process.execPath, [__filename, '--fluent-server-peer', '--port', String(this.port), '--out', this.out, ...extra]]
          : [process.execPath, [__filename, '--ack-only-peer', '--port', String(this.port)]];
    for (let attempt = 0; ; attempt++) {
      const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(p);
      let err = '';
      p.stderr.setEncoding('utf8');
      p.stderr.on('data', (d) => (err += d));
      const ok = await new Promise((resolve) => {
        const rl = readline.createInterface({ input: p.stdout });
        rl.once('line', (l) => {
          rl.close();
          resolve(l.includes('listening'));
        });
        p.once('exit', () => resolve(false));
      });
      if (ok) {
        this.proc = p;
        p.once('exit', () => children.delete(p));
        return;
      }
      children.delete(p);
      if (attempt >= 20) throw new Error(`${this.kind} receiver did not start on port ${this.port}: ${err.trim()}`);
      await sleep(250); // the port may still be held for a moment after a stop
    }
  }

  /** The ack-only peer: stops it and returns the events it counted. */
  async stopAndCount() {
    const p = this.proc;
    let last = '';
    const rl = readline.createInterface({ input: p.stdout });
    rl.on('line', (l) => (last = l));
    await this.stop();
    rl.close();
    return last.includes('events') ? JSON.parse(last).events : -1;
  }

  async stop() {
    const p = this.proc;
    this.proc = null;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  /** Lines in the output file so far (counted incrementally). */
  lineCount() {
    const size = fs.statSync(this.out).size;
    if (size > this.countedBytes) {
      const fd = fs.openSync(this.out, 'r');
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = this.countedBytes;
      while (pos < size) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
        if (n <= 0) break;
        for (let i = 0; i < n; i++) if (buf[i] === 10) this.counted++;
        pos += n;
      }
      fs.closeSync(fd);
      this.countedBytes = pos;
    }
    return this.counted;
  }

  async waitForLines(n, limitMs) {
    const end = Date.now() + limitMs;
    while (this.lineCount() < n) {
      if (Date.now() > end) return false;
      await sleep(20);
    }
    return true;
  }
}

const keyOf = (r) => `${r.community_id}|${r.first_switched_ms}|${r.record_seq}|${r.flow_id}`;

async function eachLine(file, f) {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') f(line);
}

/** The reference records: key → { n, json (normalised) }. */
async function loadReference(file) {
  const ref = new Map();
  let total = 0;
  await eachLine(file, (line) => {
    const r = JSON.parse(line);
    const k = keyOf(r);
    const e = ref.get(k);
    if (e) e.n++;
    else ref.set(k, { n: 1, json: JSON.stringify(r), timeMs: r.last_switched_ms });
    total++;
  });
  return { ref, total };
}

/** Matches the receiver's events with the reference. */
async function compare(reference, file, encoding) {
  const seen = new Map(); // key → { n, chunks: Set }
  let received = 0;
  let unexpected = 0;
  let contentDiffs = 0;
  let timeDiffs = 0;
  let example = null;
  await eachLine(file, (line) => {
    const ev = JSON.parse(line);
    if (ev.record === undefined) return; // a connection event of receiver.py
    received++;
    const k = keyOf(ev.record);
    const ref = reference.ref.get(k);
    if (ref === undefined) {
      unexpected++;
      return;
    }
    let s = seen.get(k);
    if (s === undefined) seen.set(k, (s = { n: 0, chunks: new Map() }));
    s.n++;
    s.chunks.set(ev.chunk, (s.chunks.get(ev.chunk) ?? 0) + 1);
    if (s.n === 1) {
      if (JSON.stringify(ev.record) !== ref.json) {
        contentDiffs++;
        example ??= { expected: ref.json, got: JSON.stringify(ev.record) };
      }
      const sec = Math.floor(ref.timeMs / 1000);
      const nsec = encoding === 'msgpack' ? (ref.timeMs % 1000) * 1e6 : null;
      if (ev.time !== sec || ev.nsec !== nsec) timeDiffs++;
    }
  });
  let missing = 0;
  let duplicates = 0;
  let dupSameChunk = 0;
  for (const [k, r] of reference.ref) {
    const s = seen.get(k);
    const n = s === undefined ? 0 : s.n;
    if (n < r.n) missing += r.n - n;
    if (n > r.n) {
      duplicates += n - r.n;
      for (const c of s.chunks.values()) dupSameChunk += Math.max(0, c - 1);
    }
  }
  return { received, missing, duplicates, dupOtherChunk: duplicates - Math.min(duplicates, dupSameChunk), unexpected, contentDiffs, timeDiffs, example };
}

function statsOf(stderr) {
  const lines = stderr.split('\n');
  let stats = null;
  for (const l of lines) {
    if (l.startsWith('{')) {
      try {
        stats = JSON.parse(l);
      } catch {
        // not the statistics
      }
    }
  }
  const sink = stats && Array.isArray(stats.sinks) ? stats.sinks[0] : null;
  let summary = '';
  if (sink !== null) {
    // --stats-json prints no sink line: the same facts from the statistics.
    const d = sink.drain ?? {};
    summary = `${sink.name}: ${sink.delivered} delivered, ${d.spooled ?? '?'} kept in the spool, ${sink.dropped} dropped, ${sink.rejected} refused (state ${sink.state}${sink.last_error ? `, last error: ${sink.last_error}` : ''})`;
  }
  const notices = lines.filter((l) => l.startsWith('flowtap: ') && !l.startsWith('{'));
  return { stats, sink, summary, notices };
}

// ---- acceptance --------------------------------------------------------------------

async function acceptanceRun(name, kind, encoding, scenario, tmp, reference) {
  const port = await freePort();
  const out = path.join(tmp, `${kind}-${encoding}-${scenario}.events.jsonl`);
  const spool = path.join(tmp, `spool-${kind}-${encoding}-${scenario}`);
  const rx = new Receiver(kind, port, out);
  const args = [CLI, '-r', PCAP, '-s', '127.0.0.1', '-p', String(port), '-m', encoding, '--spool-dir', spool, '--drain-timeout', '300', '--stats-json'];
  const events = [];
  const t0 = Date.now();
  const at = (what) => events.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
  if (scenario === 'steady' || scenario === 'outage') await rx.start();
  if (scenario === 'noack') await rx.start({ noAck: true });
  const flowtap = run(process.execPath, args);
  let done = false;
  flowtap.then(() => (done = true));
  if (scenario === 'down') {
    await sleep(DOWN_AT_START_MS);
    await rx.start();
    at('receiver started');
  } else if (scenario === 'outage') {
    const third = Math.round(reference.total / 3);
    const reached = await rx.waitForLines(third, 600_000);
    at(`receiver has ${rx.lineCount()} lines${reached ? '' : ' (never reached 1/3)'}`);
    await rx.stop();
    at(`receiver stopped${done ? ' (flowtap had already exited)' : ''}`);
    await sleep(OUTAGE_MS);
    await rx.start();
    at(`receiver restarted after ${OUTAGE_MS / 1000} s${done ? ' (flowtap had already exited)' : ''}`);
  } else if (scenario === 'noack') {
    await sleep(NOACK_MS);
    at(`no-ack receiver has ${rx.lineCount()} lines; restarting it with acks`);
    await rx.stop();
    await rx.start();
    at('receiver restarted');
  }
  const r = await flowtap;
  at(`flowtap exited ${r.code}`);
  await sleep(200);
  await rx.stop();
  const cmp = await compare(reference, out, encoding);
  const st = statsOf(r.stderr);
  const sink = st.sink ?? {};
  const retries = sink.retries ?? 0;
  const problems = [];
  if (r.code !== 0) problems.push(`exit ${r.code}`);
  if (cmp.missing > 0) problems.push(`${cmp.missing} missing`);
  if (cmp.unexpected > 0) problems.push(`${cmp.unexpected} not in the reference`);
  if (cmp.contentDiffs > 0) problems.push(`${cmp.contentDiffs} with other content`);
  if (cmp.timeDiffs > 0) problems.push(`${cmp.timeDiffs} with another event time`);
  if (cmp.duplicates > 0 && retries === 0) problems.push('duplicates without any retry');
  if (cmp.dupOtherChunk > 0) problems.push(`${cmp.dupOtherChunk} duplicates not from a resent chunk`);
  if (sink.delivered !== undefined && sink.delivered !== reference.total) problems.push(`delivered ${sink.delivered} != ${reference.total}`);
  if (st.stats === null) problems.push('no --stats-json output');
  const row = {
    name,
    expected: reference.total,
    received: cmp.received,
    missing: cmp.missing,
    duplicates: cmp.duplicates,
    dupOtherChunk: cmp.dupOtherChunk,
    retries,
    errors: sink.errors ?? 0,
    spilled: sink.spilled ?? 0,
    delivered: sink.delivered,
    exit: r.code,
    wall: r.wall,
    summary: st.summary.replace(/^flowtap: /, ''),
    notices: st.notices,
    timeline: events,
    verdict: problems.length === 0 ? 'PASS' : `FAIL: ${problems.join('; ')}`,
    example: cmp.example,
  };
  fs.rmSync(spool, { recursive: true, force: true });
  fs.rmSync(out, { force: true });
  return row;
}

// ---- throughput ----------------------------------------------------------------------

async function throughputRun(target, tmp, i, expected) {
  const timeFile = path.join(tmp, `time-${i}.txt`);
  if (target.kind === 'jsonl') {
    const r = await run(process.execPath, [CLI, '-r', PCAP, '--format', 'jsonl', '-w', '/dev/null', '-q'], { timeFile });
    return { ...r, ok: r.code === 0 };
  }
  const port = await freePort();
  const out = path.join(tmp, `tp-${i}.events.jsonl`);
  const spool = path.join(tmp, `tp-spool-${i}`);
  const rx = new Receiver(target.kind, port, out);
  await rx.start();
  const r = await run(process.execPath, [CLI, '-r', PCAP, '-s', '127.0.0.1', '-p', String(port), '-m', target.encoding, '--spool-dir', spool, '--drain-timeout', '300', '-q'], { timeFile });
  await sleep(200);
  const lines = target.kind === 'ackonly' ? await rx.stopAndCount() : (await rx.stop(), rx.lineCount());
  fs.rmSync(spool, { recursive: true, force: true });
  fs.rmSync(out, { force: true });
  return { ...r, lines, ok: r.code === 0 && r.stderr.trim() === '' && lines >= expected };
}

// ---- main ------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { only: null, rounds: 3, acceptance: true, throughput: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = argv[++i];
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--no-acceptance') o.acceptance = false;
    else if (a === '--no-throughput') o.throughput = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--cli') CLI = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (see the comment at the top of bench/forward-acceptance.js)`);
  }
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error('--rounds needs a positive integer');
  return o;
}

function checkNeeds() {
  const missing = [];
  if (!fs.existsSync(CLI)) missing.push(`${CLI} (run npm run build)`);
  if (!fs.existsSync(PCAP)) missing.push(`${PCAP} (run bash bench/build-input.sh)`);
  if (!fs.existsSync(GNU_TIME)) missing.push(`${GNU_TIME} (apt-get install time)`);
  if (!fs.existsSync(PYTHON)) missing.push(`${PYTHON} with python3-msgpack (apt-get install python3-msgpack)`);
  try {
    require.resolve('@fluent-org/logger');
  } catch {
    missing.push('@fluent-org/logger (npm install: it is a dev dependency)');
  }
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function printTable(rows) {
  const head = ['run', 'expected', 'received', 'missing', 'dups', 'retries', 'errors', 'spilled', 'exit', 'wall s', 'verdict'];
  const w = [24, 9, 9, 8, 6, 8, 7, 8, 5, 7, 0];
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? pad(c, w[i]) : lpad(c, w[i]))).join(' ');
  console.log(line(head));
  for (const r of rows) {
    console.log(line([r.name, r.expected, r.received, r.missing, r.duplicates, r.retries, r.errors, r.spilled, r.exit, r.wall.toFixed(1), r.verdict]));
  }
  console.log('');
  for (const r of rows) {
    console.log(`${r.name}: ${r.summary || '(no sink summary line)'}`);
    for (const t of r.timeline) console.log(`    ${t}`);
    for (const n of r.notices) console.log(`    ${n}`);
    if (r.example) console.log(`    first content difference:\n      expected ${r.example.expected}\n      got      ${r.example.got}`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  checkNeeds();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtap-forward-acceptance-'));
  log(`temporary files in ${tmp}${o.keep ? ' (kept)' : ''}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  const wanted = (name) => o.only === null || name.includes(o.only);
  const results = { acceptance: [], throughput: null };
  try {
    const refFile = path.join(tmp, 'ref.jsonl');
    const rr = await run(process.execPath, [CLI, '-r', PCAP, '--format', 'jsonl', '-w', refFile, '-q']);
    if (rr.code !== 0) throw new Error(`the reference run failed with exit ${rr.code}: ${rr.stderr.trim()}`);
    const reference = await loadReference(refFile);
    fs.rmSync(refFile);
    log(`reference: ${reference.total} records (${reference.ref.size} distinct keys) in ${rr.wall.toFixed(1)} s`);
    if (o.acceptance) {
      const combos = [];
      for (const kind of ['python', 'fluent']) {
        for (const encoding of kind === 'python' ? ['msgpack', 'json'] : ['msgpack']) {
          for (const scenario of ['steady', 'down', 'outage', 'noack']) combos.push([kind, encoding, scenario]);
        }
      }
      for (const [kind, encoding, scenario] of combos) {
        const name = `${kind}/${encoding}/${scenario}`;
        if (!wanted(name)) continue;
        log(`${name} ...`);
        const row = await acceptanceRun(name, kind, encoding, scenario, tmp, reference);
        log(`${name}: ${row.verdict} (received ${row.received}, missing ${row.missing}, duplicates ${row.duplicates}, ${row.wall.toFixed(1)} s)`);
        results.acceptance.push(row);
      }
      if (results.acceptance.length > 0) {
        console.log('\n== delivery (reference: --format jsonl) ==');
        printTable(results.acceptance);
      }
    }
    if (o.throughput && wanted('throughput')) {
      const targets = [
        { name: 'jsonl -w /dev/null', kind: 'jsonl' },
        { name: '-s ackonly (msgpack)', kind: 'ackonly', encoding: 'msgpack' },
        { name: '-s fluent (msgpack)', kind: 'fluent', encoding: 'msgpack' },
        { name: '-s python (msgpack)', kind: 'python', encoding: 'msgpack' },
        { name: '-s python (json)', kind: 'python', encoding: 'json' },
      ];
      const runs = new Map(targets.map((t) => [t.name, []]));
      let i = 0;
      for (let round = 1; round <= o.rounds; round++) {
        for (const t of targets) {
          const r = await throughputRun(t, tmp, i++, reference.total);
          log(`throughput round ${round} ${t.name}: ${r.wall.toFixed(2)} s wall, ${(r.user + r.sys).toFixed(2)} s CPU, exit ${r.code}${r.lines !== undefined ? `, receiver wrote ${r.lines} lines` : ''}${r.ok ? '' : ` NOT OK: ${r.stderr.trim()}`}`);
          runs.get(t.name).push(r);
        }
      }
      const base = runs.get(targets[0].name);
      const baseWall = median(base.map((r) => r.wall));
      const baseCpu = median(base.map((r) => r.user + r.sys));
      console.log(`\n== throughput (median of ${o.rounds}; load average now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}) ==`);
      console.log(`${pad('run', 22)} ${lpad('wall s', 7)} ${lpad('ratio', 6)} ${lpad('CPU s', 7)} ${lpad('ratio', 6)}  all runs (wall)`);
      results.throughput = [];
      for (const t of targets) {
        const rs = runs.get(t.name);
        const wall = median(rs.map((r) => r.wall));
        const cpu = median(rs.map((r) => r.user + r.sys));
        results.throughput.push({ name: t.name, wall, cpu, wallRatio: wall / baseWall, cpuRatio: cpu / baseCpu, runs: rs.map((r) => ({ wall: r.wall, user: r.user, sys: r.sys, code: r.code, ok: r.ok })) });
        console.log(
          `${pad(t.name, 22)} ${lpad(wall.toFixed(2), 7)} ${lpad((wall / baseWall).toFixed(3), 6)} ${lpad(cpu.toFixed(2), 7)} ${lpad((cpu / baseCpu).toFixed(3), 6)}  ${rs.map((r) => r.wall.toFixed(2) + (r.ok ? '' : '!')).join(' ')}`,
        );
      }
    }
    const resultFile = path.join(o.keep ? tmp : os.tmpdir(), `flowtap-forward-acceptance-${Date.now()}.json`);
    fs.writeFileSync(resultFile, JSON.stringify(results, null, 2));
    log(`results as JSON: ${resultFile}`);
  } finally {
    killChildren();
    if (!o.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const failed = results.acceptance.some((r) => r.verdict !== 'PASS');
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--fluent-server-peer') {
  fluentServerPeer(process.argv.slice(3));
} else if (process.argv[2] === '--ack-only-peer') {
  ackOnlyPeer(process.argv.slice(3));
} else {
  main().catch((err) => {
    process.stderr.write(`forward-acceptance: ${err && err.stack ? err.stack : err}\n`);
    killChildren();
    process.exit(1);
  });
}
