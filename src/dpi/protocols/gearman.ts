/**
 * Gearman job server protocol (gearman.org "Protocol"): binary packets start
 * with the magic "\0REQ" (requests) or "\0RES" (responses), a 32-bit packet
 * type (1..42 defined) and a 32-bit data size; the header is 12 bytes and
 * the data size must fit the segment (further packets may follow).
 * Ignores: the text administrative protocol, packet arguments.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.Gearman,
  on: On.Tcp,
  tcpPorts: [4730],
  budget: 2,
  tcpFirstBytes: [0x00], // "\0REQ"/"\0RES"
  tcpFirstPacket: { short: [0x00] }, // a 12-byte header without data
  fields: [],
  doc: 'Gearman binary packet header: "\\0REQ"/"\\0RES", packet type 1..42, data size within the segment.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 12 || b[o] !== 0 || b[o + 1] !== 0x52 || b[o + 2] !== 0x45 || (b[o + 3] !== 0x51 && b[o + 3] !== 0x53)) return Verdict.Exclude;
    const type = be32(b, o + 4);
    const size = be32(b, o + 8);
    if (type < 1 || type > 42 || (size > n - 12 && n < 1024)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
