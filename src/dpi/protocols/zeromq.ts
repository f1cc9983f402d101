/**
 * ZeroMQ message transport (ZMTP 2.0 and 3.x, rfc.zeromq.org specs 15/ZMTP
 * and 23/ZMTP): each peer opens with the greeting signature: 0xFF, eight
 * padding bytes (a 64-bit big-endian length, in practice 0..1, kept for
 * ZMTP 1.0 compatibility) and 0x7F, followed by the major version (1 for
 * ZMTP 2.0, 3 for ZMTP 3.x) and, for 3.x, the minor version and a
 * NUL-padded security mechanism name ("NULL", "PLAIN", "CURVE").
 * Ignores: ZMTP 1.0 (no signature), frames after the greeting.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.ZeroMQ,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0xff], // greeting signature
  tcpFirstPacket: { short: [0xff] }, // the 10-byte signature
  fields: [],
  doc: 'ZMTP greeting signature (0xFF, 64-bit length 0..1, 0x7F) with major version 1..3 and, for 3.x, an upper-case mechanism name.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 10 || b[o] !== 0xff || b[o + 9] !== 0x7f || b[o + 8] > 1) return Verdict.Exclude;
    for (let i = 1; i < 8; i++) if (b[o + i] !== 0) return Verdict.Exclude;
    if (n === 10) return ctx.dirIndex === 0 ? Verdict.Done : Verdict.Exclude;
    const major = b[o + 10];
    if (major < 1 || major > 3) return Verdict.Exclude;
    if (major === 3 && n >= 13) {
      // Mechanism: 20 bytes of upper-case letters/digits/hyphen, NUL-padded.
      const c = b[o + 12];
      if (c < 0x41 || c > 0x5a) return Verdict.Exclude;
    }
    return Verdict.Done;
  },
};
