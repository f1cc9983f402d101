/**
 * CNP/IP, LonWorks control network protocol over IP (ANSI/CEA-852 "Tunneling
 * Component Network Protocols over IP", clause 5 packet header): 16-bit
 * packet length equal to the datagram, version 1, packet type (0x01 data
 * packet, 0x03..0x0C and 0x60..0x7F control packets), extended header size
 * (in 32-bit words), protocol flags, vendor code, session id, sequence
 * number and timestamp (20-byte header).
 * Ignores: the tunnelled LonTalk PDUs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.CNP_IP,
  on: On.Udp,
  budget: 2,
  udpFirstPacket: { minLen: 20, bytes: [[2, [1]], [3, [1, [3, 0x0c], [0x60, 0x7f]]]], short: [] },
  fields: [],
  doc: 'CEA-852 CNP/IP header: length equal to the datagram, version 1, known packet type, extended header inside the packet.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 20 || be16(b, o) !== n || b[o + 2] !== 1) return Verdict.Exclude;
    const t = b[o + 3];
    if (!(t === 1 || (t >= 3 && t <= 0x0c) || (t >= 0x60 && t <= 0x7f))) return Verdict.Exclude;
    if (20 + b[o + 4] * 4 > n) return Verdict.Exclude;
    return Verdict.Done;
  },
};
