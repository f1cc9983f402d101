/**
 * RTPS, the DDS interoperability wire protocol (OMG DDSI-RTPS 2.x, 8.3.3
 * "The overall structure of an RTPS Message"): the header is the magic
 * "RTPS", protocol version (major 2, or 1 for old implementations), a
 * 2-byte vendor id and a 12-byte GUID prefix, followed by submessages.
 * Ignores: the submessages (DATA, HEARTBEAT, ACKNACK ...) and the topics.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.RTPS,
  on: On.TcpUdp,
  udpPorts: [7401],
  budget: 2,
  tcpFirstBytes: [0x52], // 'R'TPS
  udpFirstBytes: [0x52],
  tcpFirstPacket: { short: [] }, // the header is 16 bytes
  udpFirstPacket: { short: [] },
  fields: [],
  doc: 'DDS RTPS message header: "RTPS", protocol version 1.x/2.x, vendor id, GUID prefix.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 16 || b[o] !== 0x52 || b[o + 1] !== 0x54 || b[o + 2] !== 0x50 || b[o + 3] !== 0x53) return Verdict.Exclude;
    const major = b[o + 4];
    return (major === 1 || major === 2) && b[o + 5] <= 9 ? Verdict.Done : Verdict.Exclude;
  },
};
