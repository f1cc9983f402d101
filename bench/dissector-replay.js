#!/usr/bin/env node
/**
 * Micro-benchmark of one dissector on real traffic, without the rest of the pipeline.
 *
 *   node bench/dissector-replay.js record <module> <capture> <calls.bin>
 *   node bench/dissector-replay.js replay <module> <calls.bin> [passes] [--dist <dir>] [--trace <out.txt>]
 *
 * <module> is the dissector's file under dist/dpi/protocols without ".js",
 * then "#name" when its export is not called `dissector` ("http",
 * "tls/index#tls"). `record` runs dist/cli.js on the capture with that
 * dissector's dissect() wrapped, and writes every call (the context's scalar
 * fields, both addresses, whether its state was undefined, the payload) to
 * calls.bin. `replay` feeds the calls to the dissector of --dist (default:
 * this checkout's dist/) through a stand-in context, `passes` times after a
 * warm-up pass, and prints the CPU time per pass (minimum and median). The
 * payloads lie one after another in one buffer, as packets do in a capture
 * chunk. Per-flow state follows the recording: a call made with no state
 * starts a new flow in its engine slot. --trace writes every detect(),
 * set(), risk() and verdict of one pass instead, to compare two builds
 * (identical traces = identical behaviour on this input).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const HEAD = 80;

function usage() {
  console.error('usage: dissector-replay.js record <module> <capture> <calls.bin>\n' +
    '       dissector-replay.js replay <module> <calls.bin> [passes] [--dist <dir>] [--trace <out.txt>]');
  process.exit(2);
}

function option(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

/** The dissector named by "<file>[#export]" in dist. */
function load(dist, module) {
  const [file, name = 'dissector'] = module.split('#');
  const js = path.join(dist, 'dpi', 'protocols', file + '.js');
  const d = fs.existsSync(js) ? require(js)[name] : undefined;
  if (d === undefined || typeof d.dissect !== 'function') {
    console.error(`no dissector ${name} in ${file}`);
    process.exit(2);
  }
  return d;
}

function record(module, capture, out) {
  const dist = path.join(__dirname, '..', 'dist');
  const dissector = load(dist, module);
  const original = dissector.dissect;
  const fd = fs.openSync(out, 'w');
  const h = Buffer.alloc(HEAD);
  let calls = 0;
  let flows = 0;
  dissector.dissect = function (ctx) {
    const fresh = ctx.state === undefined;
    if (fresh) flows++;
    h.writeUInt32LE(ctx.slot, 0);
    h[4] = ctx.dir;
    h[5] = ctx.ipVersion;
    h[6] = fresh ? 1 : 0;
    h[7] = ctx.l4;
    h.writeUInt16LE(ctx.srcPort, 8);
    h.writeUInt16LE(ctx.dstPort, 10);
    h.writeUInt16LE(ctx.clientPort, 12);
    h.writeUInt16LE(ctx.serverPort, 14);
    h.writeUInt32LE(ctx.dirIndex, 16);
    h.writeUInt32LE(ctx.flowIndex, 20);
    h.writeUInt32LE(ctx.c2sPackets, 24);
    h.writeUInt32LE(ctx.s2cPackets, 28);
    h.writeDoubleLE(ctx.tsMs, 32);
    for (let i = 0; i < 4; i++) {
      h.writeInt32LE(ctx.srcAddr[ctx.srcAddrOff + i] | 0, 40 + 4 * i);
      h.writeInt32LE(ctx.dstAddr[ctx.dstAddrOff + i] | 0, 56 + 4 * i);
    }
    h.writeUInt32LE(ctx.len, 72);
    fs.writeSync(fd, h);
    fs.writeSync(fd, ctx.buf, ctx.off, ctx.len);
    calls++;
    return original.call(this, ctx);
  };
  process.on('exit', () => {
    fs.closeSync(fd);
    console.error(`recorded ${calls} calls, ${flows} of them with no state yet, to ${out}`);
  });
  process.argv = [process.argv[0], path.join(dist, 'cli.js'), '-r', capture, '--format', 'jsonl', '-w', '/dev/null', '-q'];
  require(path.join(dist, 'cli.js'));
}

function readCalls(file) {
  const data = fs.readFileSync(file);
  const calls = [];
  for (let p = 0; p + HEAD <= data.length; ) {
    const len = data.readUInt32LE(p + 72);
    const src = new Int32Array(4);
    const dst = new Int32Array(4);
    for (let i = 0; i < 4; i++) {
      src[i] = data.readInt32LE(p + 40 + 4 * i);
      dst[i] = data.readInt32LE(p + 56 + 4 * i);
    }
    calls.push({
      slot: data.readUInt32LE(p), dir: data[p + 4], ipVersion: data[p + 5], fresh: data[p + 6] === 1, l4: data[p + 7],
      srcPort: data.readUInt16LE(p + 8), dstPort: data.readUInt16LE(p + 10),
      clientPort: data.readUInt16LE(p + 12), serverPort: data.readUInt16LE(p + 14),
      dirIndex: data.readUInt32LE(p + 16), flowIndex: data.readUInt32LE(p + 20),
      c2sPackets: data.readUInt32LE(p + 24), s2cPackets: data.readUInt32LE(p + 28), tsMs: data.readDoubleLE(p + 32),
      src, dst, off: p + HEAD, len,
    });
    p += HEAD + len;
  }
  return { data, calls };
}

/** The part of FlowDpi dissectors read: metadata set so far. */
class ReplayFlow {
  constructor() {
    this.meta = new Map();
  }

  getMeta(field) {
    return this.meta.get(field);
  }
}

function replay(module, file, passes, dist, traceOut) {
  const dissector = load(dist, module);
  const { Cursor } = require(path.join(dist, 'dpi', 'cursor.js'));
  const { data, calls } = readCalls(file);
  let log = null;
  const ctx = {
    buf: data, off: 0, len: 0, cur: new Cursor(), dir: 0, l4: 6, srcPort: 0, dstPort: 0, clientPort: 0, serverPort: 0,
    dirIndex: 0, flowIndex: 0, c2sPackets: 0, s2cPackets: 0, tsMs: 0, ipVersion: 4,
    srcAddr: new Int32Array(4), srcAddrOff: 0, dstAddr: new Int32Array(4), dstAddrOff: 0, flow: null, state: undefined,
    detect(app, master = 0) {
      if (log !== null) log.push(`D ${app} ${master}`);
    },
    set(field, value, overwrite = false) {
      if (overwrite || !this.flow.meta.has(field)) this.flow.meta.set(field, value);
      if (log !== null) log.push(`S ${field} ${value}`);
    },
    risk(risk, info) {
      if (log !== null) log.push(`R ${risk} ${info}`);
    },
  };
  const slots = new Map();
  const pass = () => {
    slots.clear();
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      let f = slots.get(c.slot);
      if (c.fresh || f === undefined) {
        f = { flow: new ReplayFlow(), state: undefined };
        slots.set(c.slot, f);
      }
      ctx.off = c.off;
      ctx.len = c.len;
      ctx.cur.reset(data, c.off, c.len);
      ctx.dir = c.dir;
      ctx.l4 = c.l4;
      ctx.srcPort = c.srcPort;
      ctx.dstPort = c.dstPort;
      ctx.clientPort = c.clientPort;
      ctx.serverPort = c.serverPort;
      ctx.dirIndex = c.dirIndex;
      ctx.flowIndex = c.flowIndex;
      ctx.c2sPackets = c.c2sPackets;
      ctx.s2cPackets = c.s2cPackets;
      ctx.tsMs = c.tsMs;
      ctx.ipVersion = c.ipVersion;
      ctx.srcAddr.set(c.src);
      ctx.dstAddr.set(c.dst);
      ctx.flow = f.flow;
      ctx.state = f.state;
      const verdict = dissector.dissect(ctx);
      f.state = ctx.state;
      if (log !== null) log.push(`V ${i} ${verdict}`);
    }
  };
  if (traceOut !== undefined) {
    log = [];
    pass();
    const text = log.join('\n') + '\n';
    fs.writeFileSync(traceOut, text);
    console.log(`${calls.length} calls, ${log.length} trace lines, sha1 ${crypto.createHash('sha1').update(text).digest('hex')}`);
    return;
  }
  pass();
  const ms = [];
  for (let k = 0; k < passes; k++) {
    const t = process.cpuUsage();
    pass();
    const d = process.cpuUsage(t);
    ms.push((d.user + d.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  console.log(`${calls.length} calls; CPU ms per pass: min ${ms[0].toFixed(1)} median ${ms[ms.length >> 1].toFixed(1)}`);
}

const args = process.argv.slice(2);
const dist = option(args, '--dist');
const trace = option(args, '--trace');
if (args[0] === 'record' && args.length === 4) record(args[1], args[2], args[3]);
else if (args[0] === 'replay' && (args.length === 3 || args.length === 4)) {
  replay(args[1], args[2], args.length === 4 ? Number(args[3]) : 20,
    path.resolve(dist ?? path.join(__dirname, '..', 'dist')), trace);
} else usage();
