/**
 * Ethernet Global Data (GE/Emerson EGD, UDP 18246; layout as in Wireshark's
 * packet-egd.c): produced data exchanges with a 32-byte little-endian
 * header: PDU type 0x0D, version 0x01, request id (2), producer id (4, the
 * producer's IPv4 address), exchange id (4), timestamp seconds (4) and
 * nanoseconds (4), status (4), configuration signature (4), reserved (4),
 * then the data. Recognised from type and version, a producer id equal to
 * the sender's IPv4 address, a nanosecond count below 10^9, a small status
 * and a zero reserved word.
 * Ignores: the exchanged data.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32, le32 } from '../bytes';

const HEADER = 32;

export const dissector: Dissector = {
  id: P.EthernetGlobalData,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0x0d], // type
  udpFirstPacket: { short: [] }, // the header alone is 32 bytes
  fields: [],
  doc: 'Ethernet Global Data: the 32-byte EGD header (type 0x0D, version 1, producer id = sender address, valid timestamp, zero reserved).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len <= HEADER || b[o] !== 0x0d || b[o + 1] !== 0x01 || ctx.ipVersion !== 4) return Verdict.Exclude;
    if (be32(b, o + 4) !== ctx.srcAddr[ctx.srcAddrOff] >>> 0) return Verdict.Exclude;
    if (le32(b, o + 16) >= 1_000_000_000 || le32(b, o + 20) > 0xff || be32(b, o + 28) !== 0) return Verdict.Exclude;
    return Verdict.Done;
  },
};
