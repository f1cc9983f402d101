/**
 * Checkmk agent protocol (Checkmk documentation, "The Checkmk agent"): on
 * connection to the agent (TCP 6556) the agent sends its plain-text output,
 * which starts with the section header "<<<check_mk>>>" and a line feed;
 * the client sends nothing.
 * Ignores: the sections' contents, the TLS-encrypted agent controller mode
 * (which starts with a 2-byte version header "16").
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const HEADER = ascii('<<<check_mk>>>');

export const dissector: Dissector = {
  id: P.CHECKMK,
  on: On.Tcp,
  tcpPorts: [6556],
  budget: 1,
  tcpFirstBytes: [0x3c], // '<'<<check_mk>>>
  tcpFirstPacket: { short: [0x3c] }, // 15 bytes: header and line end
  fields: [],
  doc: 'Checkmk agent output starting with the "<<<check_mk>>>" section header.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (!startsWith(b, o, end, HEADER) || ctx.len < 15 || (b[o + 14] !== 0x0a && b[o + 14] !== 0x0d)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
