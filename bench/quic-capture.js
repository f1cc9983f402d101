#!/usr/bin/env node
/**
 * Records every call of the QUIC dissector on a capture (payload, direction,
 * ports, flow index, and which flow), for bench/quic-micro.js to replay.
 * Usage: node bench/quic-capture.js <pcap> <out-file>   (after npm run build)
 * Record: u32 flow, u8 dir, u16 srcPort, u16 dstPort, u32 flowIndex, u32 len, payload.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const [pcap, outFile] = process.argv.slice(2);
const dist = path.join(__dirname, '..', 'dist');
const { dissector } = require(path.join(dist, 'dpi/protocols/quic/index.js'));
const chunks = [];
const ids = new Map();
let next = 0;
const orig = dissector.dissect;
dissector.dissect = function (ctx) {
  let e = ids.get(ctx.flow);
  if (e === undefined || ctx.flowIndex <= e.last) {
    e = { id: next++, last: -1 };
    ids.set(ctx.flow, e);
  }
  e.last = ctx.flowIndex;
  const h = Buffer.alloc(17);
  h.writeUInt32LE(e.id, 0);
  h[4] = ctx.dir;
  h.writeUInt16LE(ctx.srcPort, 5);
  h.writeUInt16LE(ctx.dstPort, 7);
  h.writeUInt32LE(ctx.flowIndex, 9);
  h.writeUInt32LE(ctx.len, 13);
  chunks.push(h, Buffer.from(ctx.buf.subarray(ctx.off, ctx.off + ctx.len)));
  return orig.call(this, ctx);
};
process.on('exit', () => {
  fs.writeFileSync(outFile, Buffer.concat(chunks));
  process.stderr.write(`${chunks.length / 2} calls, ${next} flows\n`);
});
const { main } = require(path.join(dist, 'cli/main.js'));
main(['-r', pcap, '--format', 'jsonl', '-w', '/dev/null', '-q']);
