/**
 * FIX (Financial Information eXchange, FIX session layer / FIXT): every
 * message starts with the standard header tags in fixed order, separated by
 * SOH (0x01): "8=" BeginString (e.g. "FIX.4.2", "FIXT.1.1"), "9=" BodyLength
 * (digits), "35=" MsgType. These three tags at the start of a segment
 * identify the flow.
 * Ignores: the message body and checksum (tag 10), FAST/SBE binary encodings.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const MAX_BEGIN = 16;

function fix(b: Buffer, o: number, end: number): boolean {
  if (o + 12 > end || b[o] !== 0x38 || b[o + 1] !== 0x3d) return false;
  let i = o + 2;
  const lim = Math.min(end, i + MAX_BEGIN);
  while (i < lim && b[i] !== 1) {
    if (b[i] <= 0x20 || b[i] > 0x7e) return false;
    i++;
  }
  if (i === o + 2 || i >= lim) return false;
  i++;
  if (i + 3 > end || b[i] !== 0x39 || b[i + 1] !== 0x3d) return false;
  i += 2;
  const d = i;
  while (i < end && b[i] >= 0x30 && b[i] <= 0x39 && i - d < 8) i++;
  if (i === d || i >= end || b[i] !== 1) return false;
  i++;
  return i + 4 <= end && b[i] === 0x33 && b[i + 1] === 0x35 && b[i + 2] === 0x3d && b[i + 3] > 0x20;
}

export const dissector: Dissector = {
  id: P.FIX,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x38], // '8=' BeginString
  tcpFirstPacket: { short: [0x38] }, // "8=F|9=1|35=A" fits in 12 bytes
  fields: [],
  doc: 'FIX standard header: "8=<BeginString>" SOH "9=<BodyLength>" SOH "35=<MsgType>" at the start of a segment.',
  dissect(ctx: DissectContext): Verdict {
    return fix(ctx.buf, ctx.off, ctx.off + ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
