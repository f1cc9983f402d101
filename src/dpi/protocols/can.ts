/**
 * CAN frames tunnelled over TCP/UDP in the ISO 11898 "CAN over IP" framing
 * used by CAN gateways (as nDPI's Controller_Area_Network): an 8-byte ASCII
 * signature "ISO11898", a version byte (1) and a frame count, followed by
 * the CAN frames. A different version raises Malformed Packet.
 * Ignores: the CAN frames (identifiers, data).
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const SIGNATURE = ascii('ISO11898');

export const dissector: Dissector = {
  id: P.Controller_Area_Network,
  on: On.TcpUdp,
  budget: 2,
  tcpFirstBytes: [0x49], // 'I'SO11898
  udpFirstBytes: [0x49],
  tcpFirstPacket: { short: [0x49] }, // 10 bytes: signature, version, count
  udpFirstPacket: { short: [0x49] },
  fields: [],
  doc: 'CAN over IP: "ISO11898" signature, version and frame count; a version other than 1 raises Malformed Packet.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 10 || !startsWith(b, o, o + ctx.len, SIGNATURE)) return Verdict.Exclude;
    if (b[o + 8] !== 1) ctx.risk(Risk.Malformed_Packet, 'Invalid CAN Header');
    return Verdict.Done;
  },
};
