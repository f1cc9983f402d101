/**
 * HART-IP (FieldComm Group HCF_SPEC-085, "HART-IP Protocol"): every message
 * starts with an 8-byte header: version (1 or 2), message type (0 request,
 * 1 response, 2 publish/notification, 3 error, 15 NAK), message id (0
 * session initiate, 1 session close, 2 keep alive, 3 token-passing PDU, 4
 * direct PDU, 5 read audit log), status, 16-bit sequence number and a
 * 16-bit byte count (header included) equal to the segment/datagram.
 * Ignores: the HART PDU inside.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.HART_IP,
  on: On.TcpUdp,
  tcpPorts: [5094],
  budget: 2,
  tcpFirstBytes: [0x01, 0x02], // version
  udpFirstBytes: [0x01, 0x02],
  tcpFirstPacket: { short: [0x01, 0x02] }, // the 8-byte header alone is a message
  udpFirstPacket: { short: [0x01, 0x02] },
  fields: [],
  doc: 'HART-IP header: version 1/2, message type 0..3/15, message id 0..5, byte count equal to the payload.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 8 || (b[o] !== 1 && b[o] !== 2)) return Verdict.Exclude;
    const type = b[o + 1];
    if ((type > 3 && type !== 15) || b[o + 2] > 5 || be16(b, o + 6) !== n) return Verdict.Exclude;
    // Session initiate carries master type and inactivity timer (5 bytes).
    if (b[o + 2] === 0 && type <= 1 && n !== 13) return Verdict.Exclude;
    return Verdict.Done;
  },
};
