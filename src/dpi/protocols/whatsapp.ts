/**
 * WhatsApp chat connections (TCP 443/5222): the client opens with the
 * WhatsApp Noise prologue "WA" followed by the protocol version (two small
 * bytes), then 3-byte length-prefixed Noise frames; newer clients put an
 * edge routing header before it ("ED", version 0x00 0x01, a 3-byte length,
 * the routing data). The prologue (after the optional routing header) must
 * be followed by a frame length that fits the segment.
 * WhatsApp calls are recognised by the STUN dissector (STUN.WhatsAppCall).
 * Ignores: the Noise handshake and everything encrypted after it.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** "WA", version, 3-byte frame length at buf[p...]. */
function prologue(buf: Buffer, p: number, end: number): boolean {
  if (p + 7 > end || buf[p] !== 0x57 || buf[p + 1] !== 0x41) return false;
  if (buf[p + 2] > 9 || buf[p + 3] > 9) return false;
  const flen = (buf[p + 4] << 16) | (buf[p + 5] << 8) | buf[p + 6];
  return flen > 0 && flen <= 65535;
}

export const dissector: Dissector = {
  id: P.WhatsApp,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x45, 0x57], // 'E'D routing header, 'W'A prologue
  tcpFirstPacket: { short: [0x45, 0x57] }, // the prologue alone is 7 bytes
  fields: [],
  doc: 'WhatsApp chat: "WA" Noise prologue with version and frame length, optionally after the "ED" edge routing header.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.dirIndex !== 0 || ctx.len < 7) return Verdict.Exclude;
    let p = off;
    if (buf[off] === 0x45 && buf[off + 1] === 0x44 && buf[off + 2] === 0 && buf[off + 3] === 1) {
      const rlen = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
      p = off + 7 + rlen;
    }
    if (prologue(buf, p, end)) {
      ctx.detect(P.WhatsApp);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
