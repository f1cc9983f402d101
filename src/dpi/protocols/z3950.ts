/**
 * Z39.50 (ANSI/NISO Z39.50-2003, ISO 23950) on any TCP port: the first PDU
 * of a direction is the BER-encoded InitializeRequest ([20], 0xB4) or
 * InitializeResponse ([21], 0xB5), a constructed context-specific element
 * whose definite length covers exactly the segment, and whose first members
 * are among referenceId [2], protocolVersion [3], options [4],
 * preferredMessageSize [5] and exceptionalRecordSize [6], each with a short
 * definite length that fits.
 * Ignores: the other PDUs, implementation names.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** BER definite length at p: [length, offset after it], or undefined. */
function berLength(buf: Buffer, p: number, end: number): [number, number] | undefined {
  if (p >= end) return undefined;
  const b = buf[p];
  if (b < 0x80) return [b, p + 1];
  const n = b & 0x7f;
  if (n === 0 || n > 3 || p + 1 + n > end) return undefined;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + buf[p + i];
  return [v, p + 1 + n];
}

export const dissector: Dissector = {
  id: P.Z3950,
  on: On.Tcp,
  tcpPorts: [210],
  budget: 2,
  tcpFirstBytes: [0xb4, 0xb5], // InitializeRequest [20], InitializeResponse [21]
  tcpFirstPacket: { short: [0xb4, 0xb5] }, // a 9-15 byte PDU with two small members
  fields: [],
  doc: 'Z39.50: a BER InitializeRequest/InitializeResponse PDU (tag 0xB4/0xB5) with consistent length and Init members, on any port.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const p = ctx.off;
    const end = p + ctx.len;
    if (buf[p] !== 0xb4 && buf[p] !== 0xb5) return Verdict.Exclude;
    const l = berLength(buf, p + 1, end);
    if (l === undefined || l[1] + l[0] !== end || l[0] < 6) return Verdict.Exclude;
    // The first members: context-specific primitive tags 2..6 with lengths that fit.
    let q = l[1];
    for (let k = 0; k < 2; k++) {
      const t = buf[q];
      if (t < 0x82 || t > 0x86) return Verdict.Exclude;
      const m = berLength(buf, q + 1, end);
      if (m === undefined || m[0] > 64 || m[1] + m[0] > end) return Verdict.Exclude;
      q = m[1] + m[0];
      if (q >= end) return Verdict.Exclude;
    }
    return Verdict.Done;
  },
};
