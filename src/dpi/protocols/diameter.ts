/**
 * Diameter (RFC 6733, 3 "Diameter Header" and 4.1 "AVP Header"): version 1,
 * 24-bit message length (multiple of 4, at least 20, consistent with the
 * segment), command flags (R, P, E, T; the four low bits reserved 0), 24-bit
 * command code (non-zero), application id, hop-by-hop and end-to-end ids,
 * then AVPs: 32-bit code, flags (V, M, P; five low bits reserved 0) and a
 * 24-bit length >= 8 (12 with the vendor bit) that fits the message.
 * Ignores: AVP values, Diameter over SCTP (not TCP/UDP).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

function u24(b: Buffer, p: number): number {
  return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
}

export const dissector: Dissector = {
  id: P.Diameter,
  on: On.Tcp,
  tcpPorts: [3868],
  budget: 2,
  tcpFirstBytes: [0x01], // version
  tcpFirstPacket: { short: [] }, // header and first AVP: at least 28 bytes
  fields: [],
  doc: 'Diameter header (version 1, length, reserved flag bits clear, command code) and a well-formed first AVP.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 28 || b[o] !== 1) return Verdict.Exclude;
    const len = u24(b, o + 1);
    if (len < 28 || (len & 3) !== 0 || (b[o + 4] & 0x0f) !== 0 || u24(b, o + 5) === 0) return Verdict.Exclude;
    if (len > n && n < 512) return Verdict.Exclude;
    if (len < n && !(o + len < o + n && b[o + len] === 1)) return Verdict.Exclude;
    const af = b[o + 24];
    const alen = u24(b, o + 25);
    if ((af & 0x1f) !== 0 || alen < ((af & 0x80) !== 0 ? 12 : 8) || 20 + alen > len) return Verdict.Exclude;
    return Verdict.Done;
  },
};
