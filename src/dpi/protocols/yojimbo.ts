/**
 * Yojimbo (Glenn Fiedler's game networking library) over netcode.io
 * (netcode STANDARD.md, "Connection request packet"): the client's
 * connection request is the one unencrypted netcode packet: prefix byte 0,
 * the version info "NETCODE 1.0x\0" (13 bytes), protocol id (8), connect
 * token expire timestamp (8), connect token nonce (24) and the encrypted
 * private connect token (1024), 1078 bytes in all. Recognised from the
 * prefix, the version string and that exact size.
 * Ignores: the encrypted packets that follow.
 */
import { P } from '../generated/protocols';
import { byteValues, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const VERSION = ascii('NETCODE 1.0');
const REQUEST_SIZE = 1 + 13 + 8 + 8 + 24 + 1024;

export const dissector: Dissector = {
  id: P.Yojimbo,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0x00], // connection request prefix byte
  // The request's size, "NETCODE 1.0" and a minor version digit then NUL.
  udpFirstPacket: {
    minLen: REQUEST_SIZE,
    maxLen: REQUEST_SIZE,
    bytes: [...VERSION].map((c, i): [number, number[]] => [i + 1, [c]]).concat([[12, byteValues((c) => c >= 0x30 && c <= 0x39)], [13, [0]]]),
    short: [],
  },
  fields: [],
  doc: 'Yojimbo / netcode.io: the 1078-byte connection request (prefix 0, "NETCODE 1.0x\\0").',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len !== REQUEST_SIZE || b[o] !== 0 || !startsWith(b, o + 1, o + ctx.len, VERSION)) return Verdict.Exclude;
    const minor = b[o + 12];
    return minor >= 0x30 && minor <= 0x39 && b[o + 13] === 0 ? Verdict.Done : Verdict.Exclude;
  },
};
