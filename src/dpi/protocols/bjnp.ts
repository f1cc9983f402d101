/**
 * Canon BJNP (printer/scanner network protocol, as documented by the
 * cups-bjnp and sane-pixma projects): a 16-byte header: magic "BJNP"
 * (printer), "BJNS" (scanner), "BJNB" or "MFNP", device type (0x01 printer,
 * 0x02 scanner, 0x81/0x82 their responses), command code, 16-bit error
 * code, sequence number, session id and a 32-bit payload length equal to the
 * rest of the payload.
 * Ignores: command payloads (device id strings, print data).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.BJNP,
  on: On.TcpUdp,
  udpPorts: [8612],
  budget: 2,
  tcpFirstBytes: [0x42, 0x4d], // 'B'JNP/BJNS/BJNB, 'M'FNP
  udpFirstBytes: [0x42, 0x4d],
  tcpFirstPacket: { short: [] }, // the header alone is 16 bytes
  udpFirstPacket: { short: [] },
  fields: [],
  doc: 'Canon BJNP header: "BJNP"/"BJNS"/"BJNB"/"MFNP" magic, device type 1/2 (|0x80), payload length equal to the rest.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 16) return Verdict.Exclude;
    const bjn = b[o] === 0x42 && b[o + 1] === 0x4a && b[o + 2] === 0x4e && (b[o + 3] === 0x50 || b[o + 3] === 0x53 || b[o + 3] === 0x42);
    const mfnp = b[o] === 0x4d && b[o + 1] === 0x46 && b[o + 2] === 0x4e && b[o + 3] === 0x50;
    if (!bjn && !mfnp) return Verdict.Exclude;
    const dev = b[o + 4] & 0x7f;
    if ((dev !== 1 && dev !== 2) || be32(b, o + 12) + 16 !== n) return Verdict.Exclude;
    return Verdict.Done;
  },
};
