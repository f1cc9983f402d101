/**
 * ZUG consensus protocol (UDP). Datagrams start with their own length as a
 * 16-bit big-endian number, then the magic "UG" (0x55 0x47) and the version
 * byte 0x10. Recognised from the magic, the version and a length field equal
 * to the datagram size.
 * Ignores: the (encrypted) body.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.ZUG,
  on: On.Udp,
  budget: 2,
  udpFirstPacket: { bytes: [[2, [0x55]], [3, [0x47]], [4, [0x10]]], short: [0x00] }, // 12-15 bytes: length high byte 0
  fields: [],
  doc: 'ZUG consensus protocol: 16-bit datagram length, "UG" magic and version 0x10.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 12 || b[o + 2] !== 0x55 || b[o + 3] !== 0x47 || b[o + 4] !== 0x10) return Verdict.Exclude;
    return be16(b, o) === ctx.len ? Verdict.Done : Verdict.Exclude;
  },
};
