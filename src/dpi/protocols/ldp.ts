/**
 * LDP, the MPLS Label Distribution Protocol (RFC 5036, 3.5 "LDP Messages"):
 * a PDU header (version 1, PDU length counting from the LSR id, 6-byte LDP
 * identifier) followed by messages (U bit and 15-bit type: 0x0001
 * Notification, 0x0100 Hello, 0x0200 Initialization, 0x0201 KeepAlive,
 * 0x0300/0x0301 Address (Withdraw), 0x0400..0x0404 Label Mapping/Request/
 * Withdraw/Release/Abort Request; 16-bit length; message id). The PDU length
 * must match the segment (whole PDUs) and the first message must fit in it.
 * Ignores: TLVs inside the messages.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function messageType(t: number): boolean {
  t &= 0x7fff;
  return t === 0x0001 || t === 0x0100 || t === 0x0200 || t === 0x0201 || t === 0x0300 || t === 0x0301 || (t >= 0x0400 && t <= 0x0404);
}

export const dissector: Dissector = {
  id: P.LDP,
  on: On.TcpUdp,
  tcpPorts: [646],
  udpPorts: [646],
  budget: 2,
  tcpFirstBytes: [0x00], // version 0x0001
  udpFirstBytes: [0x00],
  tcpFirstPacket: { minLen: 18, bytes: [[1, [1]]], short: [] },
  udpFirstPacket: { minLen: 18, bytes: [[1, [1]]], short: [] },
  fields: [],
  doc: 'MPLS LDP PDU (version 1, PDU length consistent with the payload) whose first message has a known type and fits the PDU.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    let count = 0;
    while (p < end) {
      if (p + 18 > end || be16(b, p) !== 1) return Verdict.Exclude;
      const plen = be16(b, p + 2);
      if (plen < 14 || p + 4 + plen > end) return Verdict.Exclude;
      if (!messageType(be16(b, p + 10)) || 10 + 4 + be16(b, p + 12) > 4 + plen) return Verdict.Exclude;
      p += 4 + plen;
      count++;
    }
    return count > 0 ? Verdict.Done : Verdict.Exclude;
  },
};
