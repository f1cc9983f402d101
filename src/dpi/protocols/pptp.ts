/**
 * PPTP control connection (RFC 2637, section 2): every control message
 * starts with its length, the PPTP message type 1 (control), the magic
 * cookie 0x1A2B3C4D, the control message type (1-15) and a zero reserved
 * field; the message length must match the type's fixed size
 * (Start-Control-Connection-Request/Reply 156, Echo 16/20, Outgoing-Call
 * 168/32 ...). The first message of either side is checked.
 * Ignores: the GRE-encapsulated PPP data channel (IP protocol 47), message
 * contents (host name and vendor strings).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

/** Fixed sizes of the control messages 1..15 (RFC 2637 2.1-2.15). */
const SIZES = [0, 156, 156, 16, 16, 16, 20, 168, 32, 220, 24, 148, 16, 16, 28, 24];

export const dissector: Dissector = {
  id: P.PPTP,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x00], // 16-bit length <= 220
  tcpFirstPacket: { short: [] }, // 16 bytes at least
  fields: [],
  doc: 'PPTP control messages (RFC 2637): length, message type 1, magic cookie 0x1A2B3C4D, control type with its fixed size.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.dirIndex !== 0 || ctx.len < 16) return Verdict.Exclude;
    const len = be16(b, o);
    const ctl = be16(b, o + 8);
    if (be16(b, o + 2) !== 1 || be32(b, o + 4) !== 0x1a2b3c4d || ctl < 1 || ctl > 15 || be16(b, o + 10) !== 0) return Verdict.Exclude;
    if (len !== SIZES[ctl]) return Verdict.Exclude;
    ctx.detect(P.PPTP);
    return Verdict.Done;
  },
};
