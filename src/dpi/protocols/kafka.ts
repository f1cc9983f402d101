/**
 * Apache Kafka wire protocol (kafka.apache.org/protocol, "Common Request and
 * Response Structure"): a request is a 32-bit size (the bytes after it),
 * then the request header: api_key (0..127), api_version (0..31),
 * correlation_id, and client_id as a nullable string (16-bit length, -1 for
 * null). A client request whose size covers the segment and whose client_id
 * is printable identifies the flow; the broker's response (size, then the
 * same correlation_id) confirms a request that spans segments.
 * Ignores: request and response bodies, SASL/TLS on the same port.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

/** -1 not a request header, 0 header with size beyond the segment, 1 complete request. */
function request(b: Buffer, o: number, n: number): number {
  if (n < 14) return -1;
  const size = be32(b, o);
  const key = be16(b, o + 4);
  const ver = be16(b, o + 6);
  if (size < 10 || size > 0x4000000 || key > 127 || ver > 31) return -1;
  const cl = be16(b, o + 12);
  if (cl !== 0xffff) {
    if (cl === 0 || 14 + cl > n || 14 + cl > size + 4) return -1;
    for (let i = o + 14; i < o + 14 + cl; i++) if (b[i] < 0x20 || b[i] > 0x7e) return -1;
  }
  if (size + 4 === n) return 1;
  return size + 4 > n ? 0 : -1;
}

export const dissector: Dissector = {
  id: P.Kafka,
  on: On.Tcp,
  tcpPorts: [9092],
  budget: 4,
  tcpFirstBytes: [[0x00, 0x04]], // request size <= 0x4000000
  tcpFirstPacket: { short: [[0x00, 0x04]] }, // a 14-15 byte request
  fields: [],
  doc: 'Kafka request header (size equal to the segment, api key/version in range, printable or null client id), or a response echoing its correlation id.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.state === undefined) {
      if (ctx.dir !== Dir.C2S) return Verdict.Exclude;
      const r = request(b, o, n);
      if (r < 0) return Verdict.Exclude;
      if (r === 1) return Verdict.Done;
      ctx.state = be32(b, o + 8);
      return Verdict.Continue;
    }
    if (ctx.dir === Dir.C2S) return Verdict.Continue;
    return n >= 8 && be32(b, o + 4) === ctx.state ? Verdict.Done : Verdict.Exclude;
  },
};
