/**
 * StarCraft II client login on Battle.net (TCP 1119): the client's first
 * message of the logon connection has a fixed 10-byte opening,
 * 4a/49 00 00 0a 66 02 0a ed 2d 66 (message size byte, then the fixed
 * protobuf header of the Battle.net 2.0 connect request). Recognised from
 * that opening on any port.
 * Ignores: the UDP game traffic (recognisable only by port and packet
 * sizes, left to the port guess) and everything after the opening.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const OPENING = [0x00, 0x00, 0x0a, 0x66, 0x02, 0x0a, 0xed, 0x2d, 0x66];

export const dissector: Dissector = {
  id: P.Starcraft,
  on: On.Tcp,
  tcpPorts: [1119],
  budget: 2,
  tcpFirstBytes: [0x49, 0x4a], // message size byte of the fixed opening
  tcpFirstPacket: { short: [0x49, 0x4a] }, // the opening is 10 bytes
  fields: [],
  doc: 'StarCraft II Battle.net logon: the client\'s fixed opening 4a/49 00 00 0a 66 02 0a ed 2d 66.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 10 || (b[o] !== 0x4a && b[o] !== 0x49)) return Verdict.Exclude;
    for (let i = 0; i < OPENING.length; i++) if (b[o + 1 + i] !== OPENING[i]) return Verdict.Exclude;
    return Verdict.Done;
  },
};
