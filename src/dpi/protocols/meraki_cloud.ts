/**
 * Cisco Meraki cloud tunnel (UDP 7351, the "Meraki cloud communication"
 * port in Meraki's firewall documentation): the device/cloud messages start
 * with the magic 0xFEF72891, then a 16-bit type/version word and the
 * message's total length as a 16-bit big-endian number. Recognised from the
 * magic and a length equal to the datagram size.
 * Ignores: the message contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const MAGIC = 0xfef72891;

export const dissector: Dissector = {
  id: P.MerakiCloud,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0xfe], // magic 0xFEF72891
  udpFirstPacket: { short: [0xfe] }, // 8 bytes and more
  fields: [],
  doc: 'Meraki cloud tunnel: magic 0xFEF72891 and a 16-bit length at offset 6 equal to the datagram size.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 8 || be32(b, o) !== MAGIC) return Verdict.Exclude;
    return be16(b, o + 6) === ctx.len ? Verdict.Done : Verdict.Exclude;
  },
};
