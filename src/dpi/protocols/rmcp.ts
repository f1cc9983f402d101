/**
 * RMCP, the Remote Management Control Protocol (DMTF ASF 2.0 DSP0136, 3.2.2;
 * IPMI v2.0 section 13): version 0x06, reserved 0, sequence number, class
 * (0x06 ASF, 0x07 IPMI, 0x08 OEM; bit 7 = ACK). ASF messages carry the IANA
 * enterprise number 4542 and a message type; IPMI messages a session header
 * (v1.5: auth type 0/1/2/4/5, sequence, session id, [auth code], message
 * length; v2.0: auth type 6, payload type, session id, sequence, 16-bit
 * payload length) whose length matches the datagram. RMCP ACKs are 4 bytes.
 * Ignores: the IPMI/ASF message contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32, le16 } from '../bytes';

function ipmi(b: Buffer, p: number, end: number): boolean {
  if (p + 10 > end) return false;
  const auth = b[p];
  if (auth === 6) {
    if (p + 12 > end) return false;
    return p + 12 + le16(b, p + 10) <= end && (b[p + 1] & 0x3f) <= 0x15;
  }
  if (auth !== 0 && auth !== 1 && auth !== 2 && auth !== 4 && auth !== 5) return false;
  const lenAt = p + 9 + (auth === 0 ? 0 : 16);
  return lenAt < end && lenAt + 1 + b[lenAt] === end;
}

export const dissector: Dissector = {
  id: P.RMCP,
  on: On.Udp,
  udpPorts: [623],
  budget: 2,
  udpFirstBytes: [0x06], // version 6
  udpFirstPacket: { short: [0x06] }, // the 4-byte RMCP ACK
  fields: [],
  doc: 'RMCP header (version 6, class ASF/IPMI/OEM) with an ASF IANA 4542 message or an IPMI v1.5/v2.0 session header of consistent length.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 4 || b[o] !== 6 || b[o + 1] !== 0) return Verdict.Exclude;
    const cls = b[o + 3];
    if ((cls & 0x80) !== 0) return n === 4 && (cls & 0x7f) >= 6 && (cls & 0x7f) <= 8 ? Verdict.Done : Verdict.Exclude;
    if (cls === 6) return n >= 12 && be32(b, o + 4) === 4542 && b[o + 11] + 12 <= n ? Verdict.Done : Verdict.Exclude;
    if (cls === 7) return ipmi(b, o + 4, o + n) ? Verdict.Done : Verdict.Exclude;
    return Verdict.Exclude;
  },
};
