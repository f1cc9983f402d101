#!/usr/bin/env node
/**
 * Replays the QUIC dissector calls recorded by bench/quic-capture.js and times
 * them. Prints ms per pass and a digest of verdicts, labels, metadata and
 * risks, so two builds can be compared for speed and identical results.
 * Usage: node bench/quic-micro.js <calls-file> [dist-dir] [passes]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const [file, distArg, passArg] = process.argv.slice(2);
const dist = path.resolve(distArg || path.join(__dirname, '..', 'dist'));
const { dissector } = require(path.join(dist, 'dpi/protocols/quic/index.js'));
const raw = fs.readFileSync(file);
const calls = [];
let flows = 0;
for (let p = 0; p < raw.length;) {
  const flow = raw.readUInt32LE(p);
  const len = raw.readUInt32LE(p + 13);
  // Each payload in its own buffer at a non-zero offset, as the engine passes packets.
  const b = Buffer.alloc(len + 42);
  raw.copy(b, 42, p + 17, p + 17 + len);
  calls.push({ flow, dir: raw[p + 4], srcPort: raw.readUInt16LE(p + 5), dstPort: raw.readUInt16LE(p + 7), flowIndex: raw.readUInt32LE(p + 9), buf: b, len });
  if (flow >= flows) flows = flow + 1;
  p += 17 + len;
}
let log = null;
const ctx = {
  buf: null, off: 42, len: 0, dir: 0, l4: 17, srcPort: 0, dstPort: 0, clientPort: 0, serverPort: 0, dirIndex: 0, flowIndex: 0,
  state: undefined, flow: null,
  detect(app, master) { if (log) log.push('d', app, master ?? 0); },
  set(field, value, overwrite) { if (log) log.push('s', field, String(value), overwrite ? 1 : 0); },
  risk(r, info) { if (log) log.push('r', r, info ?? ''); },
};
function pass(record) {
  const states = new Array(flows);
  const out = [];
  for (const c of calls) {
    ctx.buf = c.buf; ctx.len = c.len; ctx.dir = c.dir; ctx.srcPort = c.srcPort; ctx.dstPort = c.dstPort; ctx.flowIndex = c.flowIndex;
    ctx.state = states[c.flow];
    if (record) { log = []; }
    const v = dissector.dissect(ctx);
    states[c.flow] = ctx.state;
    if (record) { out.push(c.flow + ':' + v + ':' + log.join('|')); log = null; }
  }
  return out;
}
const digest = crypto.createHash('sha256').update(pass(true).join('\n')).digest('hex');
const passes = +(passArg || 10);
const times = [];
for (let i = 0; i < passes; i++) {
  const t = process.hrtime.bigint();
  pass(false);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`${calls.length} calls, ${flows} flows; digest ${digest.slice(0, 16)}; ms/pass min ${times[0].toFixed(1)} median ${times[times.length >> 1].toFixed(1)}`);
