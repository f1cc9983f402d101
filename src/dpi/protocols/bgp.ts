/**
 * BGP-4 (RFC 4271, 4.1 "Message Header Format"): a 16-byte marker of all
 * ones, a 16-bit length (19..4096, or up to 65535 with RFC 8654 extended
 * messages) and a type (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5
 * ROUTE-REFRESH). An OPEN must carry version 4; a KEEPALIVE is exactly 19
 * bytes.
 * Ignores: path attributes, NLRI, capabilities.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.BGP,
  on: On.Tcp,
  tcpPorts: [179, 2605],
  budget: 2,
  tcpFirstBytes: [0xff], // marker
  tcpFirstPacket: { short: [] }, // the header alone is 19 bytes
  fields: [],
  doc: 'BGP message header: 16 x 0xFF marker, length >= 19, type 1..5 (OPEN version 4, KEEPALIVE 19 bytes).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 19) return Verdict.Exclude;
    for (let i = 0; i < 16; i++) if (b[o + i] !== 0xff) return Verdict.Exclude;
    const len = be16(b, o + 16);
    const type = b[o + 18];
    if (len < 19 || type < 1 || type > 5) return Verdict.Exclude;
    if (type === 1 && (n < 20 || b[o + 19] !== 4)) return Verdict.Exclude;
    if (type === 4 && len !== 19) return Verdict.Exclude;
    return Verdict.Done;
  },
};
