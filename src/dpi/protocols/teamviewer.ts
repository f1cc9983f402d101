/**
 * TeamViewer (proprietary; framing as documented by traffic analyses and the
 * Wireshark TeamViewer heuristic): over TCP every command starts with the
 * magic 0x17 0x24 (version 4+) — older clients also send 0x11 0x30 frames
 * once the session runs; over UDP the magic sits at offset 11 after a
 * header whose first byte (a counter) starts at 0. Two payloads with the
 * magic, the first of them the flow's first payload, identify the flow.
 * Ignores: command contents (encrypted).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.TeamViewer,
  on: On.TcpUdp,
  tcpPorts: [5938],
  udpPorts: [5938],
  budget: 4,
  tcpFirstBytes: [0x17], // magic 0x17 0x24
  udpFirstBytes: [0x00], // header counter starting at 0
  tcpFirstPacket: { short: [0x17] },
  udpFirstPacket: { short: [0x00] }, // 14-15 bytes with the magic at offset 11
  fields: [],
  doc: 'TeamViewer command magic 0x17 0x24 (TCP offset 0, UDP offset 11) in two payloads from the flow start.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    let magic: boolean;
    if (ctx.l4 === 6) {
      magic = n > 2 && ((b[o] === 0x17 && b[o + 1] === 0x24) || (ctx.state !== undefined && b[o] === 0x11 && b[o + 1] === 0x30));
    } else {
      magic = n > 13 && b[o + 11] === 0x17 && b[o + 12] === 0x24 && (ctx.state !== undefined || b[o] === 0);
    }
    if (!magic) return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
    if (ctx.state === undefined) {
      if (ctx.flowIndex !== 0) return Verdict.Exclude;
      ctx.state = 1;
      return Verdict.Continue;
    }
    return Verdict.Done;
  },
};
