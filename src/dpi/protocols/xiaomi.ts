/**
 * Xiaomi push/chat channel (TCP, port 5222 among others): Xiaomi's binary
 * framing as seen in MIUI traffic. Each frame: magic 0xC2FE (2 bytes),
 * version (2), frame length after the 12-byte prefix (4), then in the
 * opening (unencrypted) frames: type (2, 0x0002), header length (2),
 * body length (4), a protobuf header ("xiaomi.com", "CONN" ...), a protobuf
 * body and a 4-byte checksum, so that 16 + header + body + 4 equals the
 * frame. Recognised from that self-consistent opening frame. The client's
 * CONN body carries the device model (field 2, reported as user_agent) and
 * the server it dialled as "host[:port]" (field 7, reported as
 * server_name without the port).
 * Ignores: the encrypted frames that follow.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const MAGIC = 0xc2fe;
const PREFIX = 12;
const OPEN_HEADER = 16;
const FIELD_MODEL = 2;
const FIELD_HOST = 7;

/** Reads a protobuf varint at p (below end); returns [value, next] or null. */
function varint(b: Buffer, p: number, end: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5 && p < end; i++) {
    const c = b[p++];
    v += (c & 0x7f) * mul;
    if ((c & 0x80) === 0) return [v, p];
    mul *= 128;
  }
  return null;
}

/** Sets user_agent and server_name from a client CONN body (protobuf in b[p, end)). */
function connMetadata(ctx: DissectContext, p: number, end: number): void {
  const b = ctx.buf;
  let model: string | undefined;
  let host: string | undefined;
  while (p < end) {
    const tag = varint(b, p, end);
    if (tag === null) return;
    p = tag[1];
    const wire = tag[0] & 7;
    const field = tag[0] >>> 3;
    if (wire === 0) {
      const v = varint(b, p, end);
      if (v === null) return;
      p = v[1];
    } else if (wire === 2) {
      const l = varint(b, p, end);
      if (l === null || l[1] + l[0] > end) return;
      p = l[1];
      if (field === FIELD_MODEL && l[0] > 0 && l[0] <= 128) model = b.toString('utf8', p, p + l[0]);
      if (field === FIELD_HOST && l[0] > 0 && l[0] <= 255) host = b.toString('latin1', p, p + l[0]);
      p += l[0];
    } else if (wire === 1) {
      p += 8;
    } else if (wire === 5) {
      p += 4;
    } else {
      return;
    }
  }
  if (host === undefined) return;
  const colon = host.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(host.slice(colon + 1))) host = host.slice(0, colon);
  ctx.set('server_name', host);
  if (model !== undefined) ctx.set('user_agent', model);
}

export const dissector: Dissector = {
  id: P.Xiaomi,
  on: On.Tcp,
  budget: 4,
  tcpFirstBytes: [0xc2], // magic 0xC2FE
  tcpFirstPacket: { short: [] }, // the opening frame is at least 20 bytes
  fields: ['server_name', 'user_agent'],
  doc: 'Xiaomi push/chat channel: 0xC2FE frames whose opening frame has consistent frame, header and body lengths; device model and dialled host from the client CONN message.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const seen = ctx.state === true;
    if (n < OPEN_HEADER + 4 || be16(b, o) !== MAGIC || be32(b, o + 4) + PREFIX !== n) {
      return seen ? Verdict.Detected : Verdict.Exclude;
    }
    const header = be16(b, o + 10);
    const body = be32(b, o + 12);
    if (be16(b, o + 8) !== 2 || OPEN_HEADER + header + body + 4 !== n) return seen ? Verdict.Detected : Verdict.Exclude;
    ctx.state = true;
    const bodyStart = o + OPEN_HEADER + header;
    connMetadata(ctx, bodyStart, bodyStart + body);
    return ctx.flow.getMeta('server_name') !== undefined ? Verdict.Done : Verdict.Detected;
  },
};
