/**
 * DRDA (Distributed Relational Database Architecture, The Open Group DRDA
 * Vol. 3 "DDM": DSS header), used by DB2 and Derby: each Data Stream
 * Structure starts with a 2-byte length, the magic 0xD0, a format byte (DSS
 * type 1..5 in the low nibble: request, reply, object, encrypted object,
 * request without reply; flag bits 0x40 chained, 0x10 same correlator),
 * a 2-byte correlation id, then the DDM object: 2-byte length (DSS length -
 * 6, or an extended length with the high bit set) and a code point
 * (0x1000 and above). Every DSS in the segment is walked.
 * Ignores: DDM parameters and the SQL payload.
 */
import { P } from '../generated/protocols';
import { byteValues, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** True when buf[o, o+n) is a chain of well-formed DSS headers (the last may continue in the next segment). */
function dss(b: Buffer, o: number, n: number): boolean {
  let p = o;
  const end = o + n;
  let count = 0;
  while (p < end && count < 32) {
    if (p + 10 > end) return false;
    const len = be16(b, p);
    const fmt = b[p + 3];
    const type = fmt & 0x0f;
    if (len < 10 || b[p + 2] !== 0xd0 || type < 1 || type > 5 || (fmt & 0xa0) !== 0) return false;
    const ddmLen = be16(b, p + 6);
    if (((ddmLen & 0x8000) === 0 && (ddmLen < 4 || ddmLen > len - 6)) || b[p + 8] < 0x10) return false;
    count++;
    p += len;
  }
  return count > 0;
}

export const dissector: Dissector = {
  id: P.DRDA,
  on: On.Tcp,
  budget: 2,
  // The first DSS header: 0xD0 magic, format (DSS type 1-5, reserved bits clear), code point's high byte.
  tcpFirstPacket: { bytes: [[2, [0xd0]], [3, byteValues((f) => (f & 0xa0) === 0 && (f & 0x0f) >= 1 && (f & 0x0f) <= 5)], [8, [[0x10, 0xff]]]] },
  fields: [],
  doc: 'DRDA DSS headers (length, 0xD0 magic, DSS type, correlation id, DDM length and code point), walked along the chain.',
  dissect(ctx: DissectContext): Verdict {
    return dss(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
