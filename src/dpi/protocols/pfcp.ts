/**
 * PFCP, the Packet Forwarding Control Protocol between 5G/EPC control and
 * user planes (3GPP TS 29.244, 7.2.2 "Message Header"): version 1, spare
 * bits clear, FO/MP/S flags, message type (node related 1..15, session
 * related 50..57), 16-bit length counting the bytes after the first four,
 * the 64-bit SEID when S is set, then a 24-bit sequence number and a spare
 * (or message priority) byte. With FO set another message follows; the
 * messages must tile the datagram.
 * Ignores: information elements.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.PFCP,
  on: On.Udp,
  udpPorts: [8805],
  budget: 2,
  udpFirstBytes: [[0x20, 0x27]], // version 1, spare bits clear, FO/MP/S flags
  // Node or session message type; a short datagram can only be one node message (S clear; with a SEID it is 16 bytes).
  udpFirstPacket: { bytes: [[1, [[1, 15], [50, 57]]]], short: [0x20, 0x22, 0x24, 0x26] },
  fields: [],
  doc: 'PFCP header (version 1, node/session message type, length, SEID when S is set) with messages tiling the datagram.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    let count = 0;
    while (p < end && count < 4) {
      if (p + 8 > end) return Verdict.Exclude;
      const flags = b[p];
      const type = b[p + 1];
      if ((flags & 0xe0) !== 0x20 || (flags & 0x18) !== 0) return Verdict.Exclude;
      if (!((type >= 1 && type <= 15) || (type >= 50 && type <= 57))) return Verdict.Exclude;
      // Node messages never carry a SEID; session messages always do.
      const s = (flags & 0x01) !== 0;
      if (s !== type >= 50) return Verdict.Exclude;
      const len = be16(b, p + 2);
      if (len < (s ? 12 : 4) || p + 4 + len > end) return Verdict.Exclude;
      p += 4 + len;
      count++;
      if ((flags & 0x04) === 0) break;
    }
    return p === end ? Verdict.Done : Verdict.Exclude;
  },
};
