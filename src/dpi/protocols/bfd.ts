/**
 * BFD control packets (RFC 5880 4.1; UDP encapsulation RFC 5881/5883, ports
 * 3784, 3785 echo, 4784 multihop): version 1, diagnostic 0..8, the Multipoint
 * bit clear, a non-zero Detect Mult, Length equal to the payload (24 bytes, or
 * 24 plus the authentication section when the A bit is set) and a non-zero My
 * Discriminator. Recognised on any UDP port from this layout.
 * Ignores: echo packets with implementation-specific contents, authentication.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.BFD,
  on: On.Udp,
  udpPorts: [3784, 3785],
  budget: 1,
  udpFirstBytes: [[0x20, 0x28]], // version 1, diagnostic 0..8
  udpFirstPacket: { short: [] }, // the control packet is at least 24 bytes
  fields: [],
  doc: 'BFD control packets (RFC 5880/5881): version 1, exact length, detect multiplier and discriminator.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    if (ctx.len < 24) return Verdict.Exclude;
    const b0 = buf[off];
    const flags = buf[off + 1];
    const auth = (flags & 0x04) !== 0;
    if (b0 >> 5 !== 1 || (b0 & 0x1f) > 8 || (flags & 0x01) !== 0 || buf[off + 2] === 0) return Verdict.Exclude;
    if (buf[off + 3] !== ctx.len || (auth ? ctx.len < 26 : ctx.len !== 24) || be32(buf, off + 4) === 0) return Verdict.Exclude;
    ctx.detect(P.BFD);
    return Verdict.Done;
  },
};
