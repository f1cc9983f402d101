#!/usr/bin/env node
/**
 * Micro-benchmark of the TLS/DTLS dissectors (src/dpi/protocols/tls/) on
 * real input, without the rest of the probe:
 *
 *   node bench/tls-replay.js record [pcap] [out]   # default bench/data/bench.pcap -> bench/out/tls-calls.bin
 *   node bench/tls-replay.js time <dist> [rounds]  # CPU ms per replay of every recorded call
 *   node bench/tls-replay.js diff <distA> <distB> [seed]
 *
 * record runs dist/cli.js over the capture with the two dissectors wrapped
 * and saves every call they get (flow, direction, length, ports, time) and
 * the bytes they saw: each direction's stream for TLS, each datagram for
 * DTLS (<out> and <out>.json). time replays the calls through the
 * dissectors of a build with a stand-in context whose set/risk/detect do
 * nothing. diff replays them through two builds and compares everything
 * the dissectors report (labels, metadata, risks, verdicts); with a seed,
 * the bytes are damaged at random first (a few changed bytes in half of the
 * streams and datagrams), which exercises the malformed paths.
 * The first round of time fills the dissectors' memos (fingerprints,
 * certificates): later rounds see every hello again, as the 27 copies of
 * the bench input already do.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function record(pcap, out) {
  const dist = path.join(ROOT, 'dist');
  const { tls, dtls } = require(path.join(dist, 'dpi/protocols/tls/index.js'));
  const calls = [];
  const datas = [];
  const flows = new Map();
  const wrap = (d, kind) => {
    const dissect = d.dissect;
    d.dissect = function (ctx) {
      // The engine's own context: its slot's flow id tells flows apart (slots are reused).
      const key = ctx.engine.table.flowId[ctx.slot];
      let f = flows.get(key);
      if (f === undefined) {
        f = { id: flows.size, streams: [-1, -1] };
        flows.set(key, f);
      }
      let di;
      if (kind === 0) {
        di = f.streams[ctx.dir];
        if (di < 0 || datas[di].length < ctx.len) {
          const b = Buffer.from(ctx.buf.subarray(ctx.off, ctx.off + ctx.len));
          if (di < 0) {
            di = f.streams[ctx.dir] = datas.length;
            datas.push(b);
          } else {
            datas[di] = b;
          }
        }
      } else {
        di = datas.length;
        datas.push(Buffer.from(ctx.buf.subarray(ctx.off, ctx.off + ctx.len)));
      }
      const v = dissect.call(this, ctx);
      calls.push([kind, f.id, ctx.dir, ctx.len, ctx.clientPort, ctx.serverPort, ctx.flowIndex, ctx.tsMs, di, v]);
      return v;
    };
  };
  wrap(tls, 0);
  wrap(dtls, 1);
  const { main } = require(path.join(dist, 'cli/main.js'));
  return main(['-r', pcap, '--format', 'jsonl', '-w', '/dev/null', '-q']).then(() => {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out + '.json', JSON.stringify({ calls, lens: datas.map((d) => d.length) }));
    fs.writeFileSync(out, Buffer.concat(datas));
    console.log(`${calls.length} calls on ${flows.size} flows, ${datas.length} buffers -> ${out}`);
  });
}

function load(file) {
  const bin = fs.readFileSync(file);
  const meta = JSON.parse(fs.readFileSync(file + '.json', 'utf8'));
  const datas = [];
  let o = 0;
  for (const n of meta.lens) {
    datas.push(bin.subarray(o, o + n));
    o += n;
  }
  return { calls: meta.calls, datas };
}

/** A stand-in for the engine's per-packet context; log (when given) receives what the dissectors report. */
class Ctx {
  constructor(log) {
    this.log = log;
    this.states = [];
    this.fid = 0;
    this.buf = null;
    this.off = 0;
    this.len = 0;
    this.dir = 0;
    this.clientPort = 0;
    this.serverPort = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.flowIndex = 0;
    this.tsMs = 0;
  }
  get state() { return this.states[this.fid]; }
  set state(v) { this.states[this.fid] = v; }
  detect(app, master = 0) { if (this.log) this.log.push(`${this.fid} detect ${app} ${master}`); }
  set(field, value, overwrite = false) { if (this.log) this.log.push(`${this.fid} set ${field} ${value} ${overwrite}`); }
  risk(risk, info) { if (this.log) this.log.push(`${this.fid} risk ${risk} ${info}`); }
}

/** Replays the calls through the dissectors of build dist; a flow gets no calls after Done or Exclude. */
function replay(dist, rec, log) {
  const { tls, dtls } = require(path.resolve(dist, 'dpi/protocols/tls/index.js'));
  const ctx = new Ctx(log);
  const finished = new Uint8Array(rec.calls.length);
  for (const c of rec.calls) {
    const fid = c[1];
    if (finished[fid] === 1) continue;
    const data = rec.datas[c[8]];
    ctx.fid = fid;
    ctx.dir = c[2];
    ctx.len = Math.min(c[3], data.length);
    ctx.clientPort = c[4];
    ctx.serverPort = c[5];
    ctx.srcPort = ctx.dir === 0 ? c[4] : c[5];
    ctx.dstPort = ctx.dir === 0 ? c[5] : c[4];
    ctx.flowIndex = c[6];
    ctx.tsMs = c[7];
    ctx.buf = data;
    const v = (c[0] === 0 ? tls : dtls).dissect(ctx);
    if (log) log.push(`${fid} verdict ${v}`);
    if (v === 2 || v === 3) finished[fid] = 1;
  }
}

function time(dist, rounds, file) {
  const rec = load(file);
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.cpuUsage();
    replay(dist, rec, null);
    const u = process.cpuUsage(t);
    ms.push((u.user + u.system) / 1000);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(`CPU ms per replay: min ${sorted[0].toFixed(1)}, median ${sorted[sorted.length >> 1].toFixed(1)} (${ms.map((m) => m.toFixed(0)).join(' ')})`);
}

function damage(rec, seed) {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  rec.datas = rec.datas.map((d) => {
    if (rnd() < 0.5) return d;
    const b = Buffer.from(d);
    for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) {
      const p = Math.floor(rnd() * Math.min(b.length, 3000));
      b[p] = rnd() < 0.5 ? Math.floor(rnd() * 256) : b[p] ^ (1 << Math.floor(rnd() * 8));
    }
    return b;
  });
}

function diff(distA, distB, seed, file) {
  const rec = load(file);
  if (seed !== 0) damage(rec, seed);
  const a = [];
  const b = [];
  replay(distA, rec, a);
  replay(distB, rec, b);
  let n = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (n++ < 10) console.log(`line ${i}:\n  A: ${a[i]}\n  B: ${b[i]}`);
  }
  console.log(`${a.length} and ${b.length} lines, ${n} differ`);
  process.exitCode = n === 0 ? 0 : 1;
}

const [mode, ...args] = process.argv.slice(2);
const calls = process.env.TLS_CALLS ?? path.join(ROOT, 'bench/out/tls-calls.bin');
if (mode === 'record') {
  void record(args[0] ?? path.join(ROOT, 'bench/data/bench.pcap'), args[1] ?? calls);
} else if (mode === 'time' && args.length >= 1) {
  time(args[0], Number(args[1] ?? 10), calls);
} else if (mode === 'diff' && args.length >= 2) {
  diff(args[0], args[1], Number(args[2] ?? 0), calls);
} else {
  console.error('usage: tls-replay.js record [pcap] [out] | time <dist> [rounds] | diff <distA> <distB> [seed]  (calls file: $TLS_CALLS)');
  process.exitCode = 2;
}
