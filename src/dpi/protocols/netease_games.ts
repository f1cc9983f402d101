/**
 * NetEase Games (Naraka: Bladepoint, Lost Light, Badlanders): the UDP
 * session openings of NetEase's game transports:
 *  - a 12-byte client hello: 0x01, a byte, 0x01D0 (16-bit little-endian) at
 *    offset 2 and 0x01010100 (32-bit little-endian) at offset 8;
 *  - Lost Light datagrams of 30+ bytes starting 0xB3AF8DE8;
 *  - Naraka datagrams of 31+ bytes starting 07 08 08 0C.
 * Recognised from one of these openings.
 * Ignores: the encrypted game payload.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, Dir, On, Verdict } from '../dissector';
import { be32, le16, le32 } from '../bytes';

export const dissector: Dissector = {
  id: P.NetEaseGames,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0x07, 0xb3], // Naraka 07 08 08 0C, Lost Light B3 AF 8D E8
  udpFirstPacket: { short: [0x01] }, // the 12-byte 0x01 client hello
  fields: [],
  doc: 'NetEase Games: the 12-byte 0x01/0x01D0/0x01010100 client hello, or the Lost Light (0xB3AF8DE8) and Naraka (07 08 08 0C) datagram headers.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n === 12 && ctx.dir === Dir.C2S && b[o] === 0x01 && le16(b, o + 2) === 0x01d0 && le32(b, o + 8) === 0x01010100) return Verdict.Done;
    if (n >= 30 && be32(b, o) === 0xb3af8de8) return Verdict.Done;
    if (n > 30 && le32(b, o) === 0x0c080807) return Verdict.Done;
    return Verdict.Exclude;
  },
};
