/**
 * EtherNet/IP encapsulation (ODVA CIP Networks Library Vol. 2, chapter 2):
 * a 24-byte little-endian header: command (0x0004 ListServices, 0x0063
 * ListIdentity, 0x0064 ListInterfaces, 0x0065 RegisterSession, 0x0066
 * UnRegisterSession, 0x006F SendRRData, 0x0070 SendUnitData, 0x0072
 * IndicateStatus, 0x0073 Cancel), data length equal to the rest of the
 * segment, session handle, status, sender context and options (0).
 * RegisterSession must carry protocol version 1 and option flags 0;
 * SendRRData/SendUnitData a Common Packet Format item count of 1..8.
 * Ignores: the CIP messages inside, implicit I/O on UDP 2222 (see cip.ts).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le16, le32 } from '../bytes';

function encapsulation(b: Buffer, o: number, n: number): boolean {
  if (n < 24) return false;
  const cmd = le16(b, o);
  const len = le16(b, o + 2);
  if (len + 24 !== n || le32(b, o + 20) !== 0) return false;
  const status = le32(b, o + 8);
  if (status > 0x69) return false;
  switch (cmd) {
    case 0x0004:
    case 0x0063:
    case 0x0064:
      return true;
    case 0x0065:
      return len === 4 && le16(b, o + 24) === 1 && le16(b, o + 26) === 0;
    case 0x0066:
      return len === 0;
    case 0x006f:
    case 0x0070: {
      if (len < 8) return false;
      const count = le16(b, o + 30);
      return count >= 1 && count <= 8;
    }
    case 0x0072:
    case 0x0073:
      return true;
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.EthernetIP,
  on: On.TcpUdp,
  tcpPorts: [44818],
  budget: 2,
  // command (little-endian): ListServices 0x04, 0x63..0x66, SendRRData/SendUnitData 0x6f/0x70, 0x72, 0x73
  tcpFirstBytes: [0x04, [0x63, 0x66], 0x6f, 0x70, 0x72, 0x73],
  udpFirstBytes: [0x04, [0x63, 0x66], 0x6f, 0x70, 0x72, 0x73],
  tcpFirstPacket: { short: [] }, // the encapsulation header alone is 24 bytes
  udpFirstPacket: { short: [] },
  fields: [],
  doc: 'EtherNet/IP encapsulation header (known command, exact length, options 0; RegisterSession version 1; CPF item count for SendRRData/SendUnitData).',
  dissect(ctx: DissectContext): Verdict {
    return encapsulation(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
