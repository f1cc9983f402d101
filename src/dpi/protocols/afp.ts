/**
 * AFP over TCP, i.e. the Data Stream Interface (Apple "AFP Programming
 * Guide", DSI header): flags (0 request, 1 reply), command (1 CloseSession,
 * 2 Command, 3 GetStatus, 4 OpenSession, 5 Tickle, 6 Write, 8 Attention),
 * request id, error code / write offset, total data length (equal to the
 * rest of the segment, or more when the data continues) and a reserved
 * zero word.
 * Ignores: the AFP commands inside DSICommand/DSIWrite.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.AFP,
  on: On.TcpUdp,
  tcpPorts: [548],
  udpPorts: [548],
  budget: 2,
  tcpFirstBytes: [0x00, 0x01], // DSI flags: request, reply
  udpFirstBytes: [], // the code accepts TCP only
  tcpFirstPacket: { short: [] }, // the DSI header alone is 16 bytes
  udpFirstPacket: { short: [] },
  fields: [],
  doc: 'AFP Data Stream Interface header: flags 0/1, command 1..8 (not 7), data length consistent with the segment, reserved 0.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.l4 !== 6 || n < 16 || b[o] > 1 || b[o + 1] < 1 || b[o + 1] > 8 || b[o + 1] === 7 || be32(b, o + 12) !== 0) return Verdict.Exclude;
    const len = be32(b, o + 8);
    if (len + 16 === n || (len + 16 > n && n >= 512 && len < 0x1000000)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
