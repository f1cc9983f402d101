/**
 * ANSI C12.22 (ANSI C12.22-2012 / IEEE 1703, clause 6 "ACSE"): each message
 * is an ACSE PDU encoded in BER: the [APPLICATION 0] tag 0x60 and a length
 * equal to the rest of the payload, then context-tagged elements (0xA1
 * application context, 0xA2 called AP title, 0xA4 called AP invocation id,
 * 0xA6 calling AP title, 0xA7..0xA9 invocation ids, 0x8A/0xAC
 * authentication, 0xBE user information) whose BER lengths tile the PDU
 * exactly; the user-information element (0xBE, mandatory) must be present.
 * Ignores: the EPSEM table services inside the user information.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** Returns [content start, content length] packed as start * 65536 + length, or -1. */
function ber(b: Buffer, p: number, end: number): number {
  if (p >= end) return -1;
  const c = b[p];
  if (c < 0x80) return (p + 1) * 65536 + c;
  const k = c & 0x7f;
  if (k < 1 || k > 2 || p + 1 + k > end) return -1;
  const len = k === 1 ? b[p + 1] : (b[p + 1] << 8) | b[p + 2];
  return (p + 1 + k) * 65536 + len;
}

function acse(b: Buffer, o: number, n: number): boolean {
  const end = o + n;
  if (n < 4 || b[o] !== 0x60) return false;
  const top = ber(b, o + 1, end);
  if (top < 0) return false;
  let p = Math.floor(top / 65536);
  if (p + (top % 65536) !== end) return false;
  let user = false;
  let count = 0;
  while (p < end) {
    const tag = b[p];
    if (!((tag >= 0xa1 && tag <= 0xa9) || tag === 0x8a || tag === 0xac || tag === 0xbe)) return false;
    const e = ber(b, p + 1, end);
    if (e < 0) return false;
    const next = Math.floor(e / 65536) + (e % 65536);
    if (next > end) return false;
    if (tag === 0xbe) user = true;
    p = next;
    count++;
  }
  return user && count >= 2;
}

export const dissector: Dissector = {
  id: P.ANSI_C1222,
  on: On.TcpUdp,
  tcpPorts: [1153],
  udpPorts: [1153],
  budget: 2,
  tcpFirstBytes: [0x60], // ACSE PDU tag
  udpFirstBytes: [0x60],
  tcpFirstPacket: { short: [0x60] }, // 60 04 A1 00 BE 00 is a 6-byte PDU
  udpFirstPacket: { short: [0x60] },
  fields: [],
  doc: 'ANSI C12.22 ACSE PDU: BER tag 0x60 covering the payload, context-tagged elements tiling it, user-information (0xBE) present.',
  dissect(ctx: DissectContext): Verdict {
    return acse(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
