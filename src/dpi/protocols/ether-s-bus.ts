/**
 * SAIA Ether-S-Bus (SBC "S-Bus over Ethernet", UDP port 5050; as described
 * in the Wireshark S-Bus dissector documentation): a header of 32-bit
 * big-endian telegram length (equal to the datagram), version (0/1),
 * protocol type (0/1), 16-bit sequence number and telegram attribute (0
 * request, 1 response, 2 ACK/NAK), then the S-Bus frame and a 16-bit CRC.
 * A request is confirmed by a response with the same sequence number; a
 * single datagram is enough when it is a well-formed request.
 * Ignores: S-Bus commands and data.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.Ether_S_Bus,
  on: On.Udp,
  udpPorts: [5050],
  budget: 2,
  udpFirstBytes: [0x00], // BE32 telegram length equal to the datagram's
  udpFirstPacket: { short: [0x00] }, // 13 bytes and more
  fields: [],
  doc: 'Ether-S-Bus header: telegram length equal to the datagram, version/protocol type 0..1, attribute 0..2.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 13 || be32(b, o) !== n || b[o + 4] > 1 || b[o + 5] > 1 || b[o + 8] > 2) return Verdict.Exclude;
    return Verdict.Done;
  },
};
