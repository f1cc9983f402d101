/**
 * UFTP, encrypted UDP-based multicast file transfer (uftp.sourceforge.net,
 * protocol description for versions 4 and 5): a 16-byte common header:
 * version (0x40 or 0x50), message function (1 ANNOUNCE .. 21 CC_ACK), 16-bit
 * sequence number, source id, group id, group instance, GRTT, group size and
 * a reserved byte; the message-specific header that follows repeats the
 * function code and gives its own length in 32-bit words, which must fit
 * the datagram (except ENCRYPTED, function 18, whose body is opaque).
 * Ignores: message contents, UFTP 3 and older.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const ENCRYPTED = 18;

export const dissector: Dissector = {
  id: P.UFTP,
  on: On.Udp,
  udpPorts: [1044],
  budget: 2,
  udpFirstBytes: [0x40, 0x50], // version 4, 5
  udpFirstPacket: { short: [] }, // 20 bytes and more
  fields: [],
  doc: 'UFTP v4/v5 common header (version 0x40/0x50, function 1..21) with the message header repeating the function and fitting the datagram.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 20) return Verdict.Exclude;
    const ver = b[o];
    const func = b[o + 1];
    if ((ver !== 0x40 && ver !== 0x50) || func < 1 || func > 21) return Verdict.Exclude;
    if (func === ENCRYPTED) return Verdict.Done;
    const hlen = b[o + 17] * 4;
    return b[o + 16] === func && hlen >= 4 && 16 + hlen <= n ? Verdict.Done : Verdict.Exclude;
  },
};
