/**
 * Gaijin Entertainment (War Thunder, Enlisted, Crossout). Two kinds of
 * traffic are recognised:
 *  - the 52-byte connect packet of Gaijin's game network layer:
 *    0x8FFF, a zero byte, then 0x82FF0001 at offset 4;
 *  - the clients' telemetry: StatsD lines (metric name, ",tag=value" list,
 *    ":value|type") whose tags carry Gaijin's "circuit=" and "project="
 *    dimensions (e.g. "app.start,env=production,circuit=...,project=
 *    warthunder,...:1|c").
 * Ignores: the encrypted game traffic after the connect packet.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, be32, indexOf, indexOfByte } from '../bytes';

const CIRCUIT = ascii(',circuit=');
const PROJECT = ascii(',project=');

function isConnect(b: Buffer, o: number, n: number): boolean {
  return n === 52 && be16(b, o) === 0x8fff && b[o + 2] === 0 && be32(b, o + 4) === 0x82ff0001;
}

function nameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d;
}

/** First line is "name,k=v,...:value|type" with the Gaijin tags. */
function isTelemetry(b: Buffer, o: number, n: number): boolean {
  if (n < 32) return false;
  const end = o + n;
  const nl = indexOfByte(b, o, end, 0x0a);
  const lineEnd = nl < 0 ? end : nl;
  let p = o;
  while (p < lineEnd && nameChar(b[p])) p++;
  if (p === o || p >= lineEnd || b[p] !== 0x2c) return false;
  const colon = indexOfByte(b, p, lineEnd, 0x3a);
  if (colon < 0) return false;
  for (let i = p; i < colon; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  const bar = indexOfByte(b, colon, lineEnd, 0x7c);
  if (bar < 0 || bar === colon + 1 || bar + 1 >= lineEnd) return false;
  for (let i = colon + 1; i < bar; i++) {
    const c = b[i];
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b)) return false;
  }
  const t = b[bar + 1];
  if (t !== 0x63 && t !== 0x67 && t !== 0x68 && t !== 0x6d && t !== 0x73) return false; // c g h ms s
  return indexOf(b, p, colon, CIRCUIT) >= 0 && indexOf(b, p, colon, PROJECT) >= 0;
}

export const dissector: Dissector = {
  id: P.GaijinEntertainment,
  on: On.Udp,
  udpPorts: [20011],
  budget: 2,
  // StatsD metric name characters - . 0-9 A-Z _ a-z; connect packet 0x8f
  udpFirstBytes: [0x2d, 0x2e, [0x30, 0x39], [0x41, 0x5a], 0x5f, [0x61, 0x7a], 0x8f],
  // The connect packet's bytes, or the telemetry line's printable text (its tags alone are 18 bytes long).
  udpFirstPacket: {
    minLen: 32,
    bytes: [[1, [[0x20, 0x7e], 0xff]], [2, [[0x20, 0x7e], 0x00]], [4, [[0x20, 0x7e], 0x82]], [5, [[0x20, 0x7e], 0xff]], [6, [[0x20, 0x7e], 0x00]],
      [7, [[0x20, 0x7e], 0x01]]],
    short: [],
  },
  fields: [],
  doc: 'Gaijin Entertainment: the 52-byte 0x8FFF/0x82FF0001 connect packet, or StatsD telemetry tagged with Gaijin\'s circuit= and project= dimensions.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    return isConnect(b, o, ctx.len) || isTelemetry(b, o, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
