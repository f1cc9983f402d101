/**
 * Beckhoff ADS over AMS/TCP (Beckhoff Information System, "ADS/AMS
 * specification"): a 6-byte AMS/TCP header (reserved 0, 32-bit
 * little-endian length of the rest) and the 32-byte AMS header: target and
 * source AMS NetId (6 bytes each) and port, command id (0..9), state flags
 * (bit 0 response, bit 2 ADS command, other low bits clear), data length
 * equal to what follows, error code and invoke id.
 * Ignores: ADS command data (index groups, symbol names), AMS over UDP.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le16, le32 } from '../bytes';

export const dissector: Dissector = {
  id: P.BeckhoffADS,
  on: On.Tcp,
  tcpPorts: [48898],
  budget: 2,
  tcpFirstBytes: [0x00], // AMS/TCP reserved
  tcpFirstPacket: { short: [] }, // AMS/TCP and AMS headers are 38 bytes
  fields: [],
  doc: 'Beckhoff AMS/TCP header (reserved 0, length) with an AMS header (command id 0..9, ADS state flags, data length consistent).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 38 || b[o] !== 0 || b[o + 1] !== 0 || le32(b, o + 2) + 6 !== n) return Verdict.Exclude;
    const cmd = le16(b, o + 22);
    const flags = le16(b, o + 24);
    if (cmd > 9 || (flags & 0x04) === 0 || (flags & 0x3a) !== 0 || le32(b, o + 26) + 38 !== n) return Verdict.Exclude;
    return Verdict.Done;
  },
};
