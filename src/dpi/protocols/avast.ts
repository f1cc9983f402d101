/**
 * AVAST: the binary protocol Avast antivirus clients speak to Avast's
 * servers over TCP (port 80 among others). Each message starts with the
 * ASCII magic "NOSA" followed by the message's total length as a 16-bit
 * big-endian number. Recognised when a segment starts with the magic and the
 * length equals the segment's size (one message per segment in the opening
 * exchange).
 * Ignores: the (encrypted) message body.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.AVAST,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x4e], // 'N'OSA
  tcpFirstPacket: { short: [0x4e] },
  fields: [],
  doc: 'AVAST client protocol: "NOSA" magic and a 16-bit total length that matches the message.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 6 || b[o] !== 0x4e || b[o + 1] !== 0x4f || b[o + 2] !== 0x53 || b[o + 3] !== 0x41) return Verdict.Exclude;
    return be16(b, o + 4) === ctx.len ? Verdict.Done : Verdict.Exclude;
  },
};
