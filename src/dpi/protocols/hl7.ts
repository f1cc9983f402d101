/**
 * HL7 v2 messages (HL7 v2.x, chapter 2 "Message Header segment"), usually
 * framed by MLLP (start block 0x0B ... 0x1C 0x0D): a message starts with the
 * MSH segment: "MSH", the field separator, the four (v2.7: five) encoding
 * characters (normally "^~\&") and the field separator again. The MLLP start byte is
 * optional.
 * Ignores: the rest of the message, HL7 v3 / FHIR (XML/JSON over HTTP).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

function msh(b: Buffer, p: number, end: number): boolean {
  if (p + 9 > end || b[p] !== 0x4d || b[p + 1] !== 0x53 || b[p + 2] !== 0x48) return false;
  const sep = b[p + 3];
  if (sep <= 0x20 || sep > 0x7e || (sep >= 0x30 && sep <= 0x39) || ((sep | 0x20) >= 0x61 && (sep | 0x20) <= 0x7a)) return false;
  // Four encoding characters (five from v2.7 on: the truncation character).
  for (let i = p + 4; i < p + 10 && i < end; i++) {
    const c = b[i];
    if (c === sep) return i === p + 8 || i === p + 9;
    if (c <= 0x20 || c > 0x7e || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return false;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.HL7,
  on: On.Tcp,
  tcpPorts: [2575],
  budget: 2,
  tcpFirstBytes: [0x0b, 0x4d], // MLLP start block, 'M'SH
  tcpFirstPacket: { short: [0x0b, 0x4d] }, // "MSH|^~\&|" is 9 bytes
  fields: [],
  doc: 'HL7 v2 message header segment "MSH|^~\\&|" (any separator and encoding characters), optionally after the MLLP start block 0x0B.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    const p = b[o] === 0x0b ? o + 1 : o;
    return msh(b, p, end) ? Verdict.Done : Verdict.Exclude;
  },
};
