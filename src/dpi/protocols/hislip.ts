/**
 * HiSLIP (IVI Foundation IVI-6.1, High-Speed LAN Instrument Protocol, 2.5
 * "Message format"): every message has a 16-byte header: prologue "HS",
 * message type (0..26), control code, 32-bit message parameter and a 64-bit
 * payload length, followed by the payload. A segment that is a whole
 * message (or starts a message whose payload runs past it) identifies the
 * flow.
 * Ignores: message semantics (Initialize, Data, AsyncLock ...), TLS.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.HiSLIP,
  on: On.Tcp,
  tcpPorts: [4880],
  budget: 2,
  tcpFirstBytes: [0x48], // 'H'S prologue
  tcpFirstPacket: { short: [] }, // the header alone is 16 bytes
  fields: [],
  doc: 'HiSLIP message header: "HS" prologue, message type 0..26, 64-bit payload length consistent with the segment.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 16 || b[o] !== 0x48 || b[o + 1] !== 0x53 || b[o + 2] > 26 || be32(b, o + 8) !== 0) return Verdict.Exclude;
    const len = be32(b, o + 12);
    if (len + 16 > n && n < 512) return Verdict.Exclude;
    if (len + 16 < n) {
      const q = o + 16 + len;
      if (q + 2 > o + n || b[q] !== 0x48 || b[q + 1] !== 0x53) return Verdict.Exclude;
    }
    return Verdict.Done;
  },
};
