/**
 * BACnet/IP (ANSI/ASHRAE 135, Annex J): the BACnet Virtual Link Control
 * header: type 0x81, function 0x00..0x0C, and a 16-bit length equal to the
 * datagram. Functions carrying an NPDU (0x04 forwarded, after a 6-byte
 * address; 0x09 distribute broadcast, 0x0A original unicast, 0x0B original
 * broadcast) must show NPDU version 0x01.
 * Ignores: the NPDU/APDU contents, BACnet/IPv6 (type 0x82), BACnet/SC.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.BACnet,
  on: On.Udp,
  udpPorts: [47808],
  budget: 2,
  udpFirstBytes: [0x81], // BVLC type
  udpFirstPacket: { short: [0x81] }, // a 4-byte BVLC header alone
  fields: [],
  doc: 'BACnet/IP BVLC header (type 0x81, function 0..0x0C, length equal to the datagram, NPDU version 1 where an NPDU follows).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 4 || b[o] !== 0x81 || b[o + 1] > 0x0c || be16(b, o + 2) !== n) return Verdict.Exclude;
    const f = b[o + 1];
    const npdu = f === 0x04 ? 10 : f === 0x09 || f === 0x0a || f === 0x0b ? 4 : -1;
    if (npdu > 0 && (n < npdu + 2 || b[o + npdu] !== 0x01)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
