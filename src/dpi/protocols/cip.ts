/**
 * CIP implicit (class 0/1 I/O) messaging over UDP (ODVA CIP Networks
 * Library Vol. 2, 2-6 "Common Packet Format"): an item count of 2, a
 * Sequenced Address item (type 0x8002, length 8: connection id and
 * sequence number), then a Connected Data item (type 0x00B1) whose length
 * equals the rest of the datagram.
 * Ignores: the I/O data (no assembly knowledge), explicit messaging (that is
 * EtherNet/IP encapsulation, see ethernet-ip.ts).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le16 } from '../bytes';

export const dissector: Dissector = {
  id: P.CIP,
  on: On.Udp,
  udpPorts: [2222],
  budget: 2,
  udpFirstBytes: [0x02], // item count 2 (LE)
  udpFirstPacket: { short: [] }, // the items alone are 18 bytes
  fields: [],
  doc: 'CIP I/O Common Packet Format: 2 items, Sequenced Address (0x8002, length 8) and Connected Data (0x00B1) filling the datagram.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 18 || le16(b, o) !== 2 || le16(b, o + 2) !== 0x8002 || le16(b, o + 4) !== 8 || le16(b, o + 14) !== 0x00b1) return Verdict.Exclude;
    return le16(b, o + 16) + 18 === n ? Verdict.Done : Verdict.Exclude;
  },
};
