/**
 * Apache Thrift RPC messages (Thrift "Binary protocol encoding" and "Compact
 * protocol encoding" specifications), optionally behind the framed
 * transport's 32-bit frame length:
 *  - binary (strict): 0x80 0x01 version, 0x00, message type (1 call, 2
 *    reply, 3 exception, 4 oneway), 32-bit name length, name, 32-bit seqid;
 *  - compact: protocol id 0x82, then (type << 5 | version 1), varint seqid,
 *    varint name length, name.
 * The method name must be a non-empty identifier-like string.
 * Ignores: the non-strict (old) binary encoding, message arguments.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const MAX_NAME = 255;

function nameOk(b: Buffer, p: number, len: number): boolean {
  if (len === 0 || len > MAX_NAME) return false;
  for (let i = p; i < p + len; i++) {
    const c = b[i];
    if (c <= 0x20 || c > 0x7e) return false;
  }
  return true;
}

function binary(b: Buffer, p: number, end: number): boolean {
  if (p + 12 > end || b[p] !== 0x80 || b[p + 1] !== 0x01 || b[p + 2] !== 0) return false;
  const t = b[p + 3];
  if (t < 1 || t > 4) return false;
  const len = be32(b, p + 4);
  return p + 8 + len + 4 <= end && nameOk(b, p + 8, len);
}

function compact(b: Buffer, p: number, end: number): boolean {
  if (p + 4 > end || b[p] !== 0x82) return false;
  const tv = b[p + 1];
  if ((tv & 0x1f) !== 1 || (tv >> 5) < 1 || (tv >> 5) > 4) return false;
  let i = p + 2;
  // seqid: varint32
  let k = 0;
  while (i < end && (b[i] & 0x80) !== 0 && k < 4) {
    i++;
    k++;
  }
  if (i >= end || (b[i] & 0x80) !== 0) return false;
  i++;
  if (i >= end) return false;
  let len = b[i] & 0x7f;
  if ((b[i] & 0x80) !== 0) {
    if (i + 1 >= end || (b[i + 1] & 0x80) !== 0) return false;
    len |= b[i + 1] << 7;
    i++;
  }
  i++;
  return i + len <= end && nameOk(b, i, len);
}

export const dissector: Dissector = {
  id: P.Thrift,
  on: On.TcpUdp,
  budget: 2,
  tcpFirstBytes: [0x00, 0x80, 0x82], // frame length, strict binary 0x8001, compact 0x82
  udpFirstBytes: [0x00, 0x80, 0x82],
  tcpFirstPacket: { short: [0x00, 0x80, 0x82] }, // a message with a 1-byte name fits in 5-13 bytes (9 framed)
  udpFirstPacket: { short: [0x00, 0x80, 0x82] },
  fields: [],
  doc: 'Apache Thrift strict binary or compact protocol message header (optionally framed) with an identifier-like method name.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    const c = b[o];
    if (ctx.len < 4) return Verdict.Exclude;
    if (c === 0x80 && binary(b, o, end)) return Verdict.Done;
    if (c === 0x82 && compact(b, o, end)) return Verdict.Done;
    // Framed transport: frame length covering the segment, then a message.
    if (c === 0 && be32(b, o) + 4 === ctx.len && (binary(b, o + 4, end) || compact(b, o + 4, end))) return Verdict.Done;
    return Verdict.Exclude;
  },
};
