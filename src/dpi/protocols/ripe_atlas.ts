/**
 * RIPE Atlas (Magellan) UDP measurements: the UDP traceroute/echo probes sent
 * by RIPE Atlas probes and anchors carry the ASCII payload
 * "MGLNDD_<target address>_<port>" (Magellan being the measurement code's
 * name). Recognised from the "MGLNDD_" prefix followed by an address and a
 * numeric port made of printable characters.
 * Ignores: nothing else is sent.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const PREFIX = ascii('MGLNDD_');

export const dissector: Dissector = {
  id: P.RipeAtlas,
  on: On.TcpUdp,
  budget: 1,
  tcpFirstBytes: [0x4d], // 'M'GLNDD_
  udpFirstBytes: [0x4d],
  tcpFirstPacket: { short: [0x4d] }, // 11 bytes and more
  udpFirstPacket: { short: [0x4d] },
  fields: [],
  doc: 'RIPE Atlas (Magellan) probes: "MGLNDD_<address>_<port>" payloads.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.len < PREFIX.length + 4 || ctx.len > 64 || !startsWith(b, o, end, PREFIX)) return Verdict.Exclude;
    let sep = -1;
    for (let i = o + PREFIX.length; i < end; i++) {
      const c = b[i];
      if (c === 0x5f) sep = i;
      else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x2e || c === 0x3a)) return Verdict.Exclude;
    }
    if (sep < 0 || sep === end - 1 || sep === o + PREFIX.length) return Verdict.Exclude;
    for (let i = sep + 1; i < end; i++) if (b[i] < 0x30 || b[i] > 0x39) return Verdict.Exclude;
    return Verdict.Done;
  },
};
