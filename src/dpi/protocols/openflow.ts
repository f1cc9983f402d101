/**
 * OpenFlow (Open Networking Foundation OpenFlow Switch Specification 1.0 to
 * 1.5, "ofp_header"): version (0x01..0x06), message type (0..35 depending on
 * the version), 16-bit length (>= 8) and transaction id. A connection starts
 * with OFPT_HELLO (type 0, empty or carrying a VERSIONBITMAP hello
 * element) from both sides; a segment made of whole messages starting with a
 * HELLO (or ECHO request/reply, types 2/3) identifies the flow.
 * Ignores: message bodies (flow mods, stats, packet-in contents).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.OpenFlow,
  on: On.Tcp,
  tcpPorts: [6653],
  budget: 2,
  tcpFirstBytes: [[0x01, 0x06]], // version
  tcpFirstPacket: { short: [[0x01, 0x06]] }, // e.g. the 8-byte HELLO
  fields: [],
  doc: 'OpenFlow header (version 1..6, type, length >= 8) with whole messages, starting with HELLO or ECHO.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    if (ctx.len < 8) return Verdict.Exclude;
    const first = b[p + 1];
    if (first !== 0 && first !== 2 && first !== 3) return Verdict.Exclude;
    const ver = b[p];
    // A HELLO body is empty or a list of hello elements (type 1 VERSIONBITMAP, length >= 4, padded to 8).
    if (first === 0) {
      const hl = be16(b, p + 2);
      if (hl > 8) {
        if (hl < 16 || be16(b, p + 8) !== 1 || be16(b, p + 10) < 8 || be16(b, p + 10) > hl - 8) return Verdict.Exclude;
      }
    }
    let count = 0;
    while (p < end) {
      if (p + 8 > end || b[p] !== ver || ver < 1 || ver > 6 || b[p + 1] > 35) return Verdict.Exclude;
      const len = be16(b, p + 2);
      if (len < 8 || p + len > end) return Verdict.Exclude;
      p += len;
      count++;
    }
    return count > 0 ? Verdict.Done : Verdict.Exclude;
  },
};
