/**
 * IEC 60870-5-104 (IEC 60870-5-104:2006, clause 5 APCI): every APDU starts
 * with 0x68 and a length octet (4..253) counting the four control octets and
 * the ASDU. U-format frames (first octet 0x07/0x0B/0x13/0x23/0x43/0x83:
 * STARTDT/STOPDT/TESTFR act/con) and S-format frames (0x01, 0x00) are 4
 * octets long; I-format frames (first octet bit 0 clear) carry an ASDU
 * (type id 1..127, cause of transmission 1..47 in its low 6 bits). A segment
 * made of whole APDUs identifies the flow.
 * Ignores: ASDU information objects, IEC 60870-5-101 serial framing.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

function apdus(b: Buffer, o: number, n: number): boolean {
  let p = o;
  const end = o + n;
  let count = 0;
  while (p < end) {
    if (p + 6 > end || b[p] !== 0x68) return false;
    const len = b[p + 1];
    if (len < 4 || len > 253 || p + 2 + len > end) return false;
    const c1 = b[p + 2];
    if ((c1 & 1) === 0) {
      // I-format: ASDU type id and cause of transmission.
      if (len < 4 + 6) return false;
      const type = b[p + 6];
      const cot = b[p + 8] & 0x3f;
      if (type === 0 || type > 127 || cot === 0 || cot > 47) return false;
    } else if (c1 === 0x01) {
      if (len !== 4 || b[p + 3] !== 0 || (b[p + 4] & 1) !== 0) return false;
    } else {
      if (len !== 4 || (c1 !== 0x07 && c1 !== 0x0b && c1 !== 0x13 && c1 !== 0x23 && c1 !== 0x43 && c1 !== 0x83)) return false;
      if (b[p + 3] !== 0 || b[p + 4] !== 0 || b[p + 5] !== 0) return false;
    }
    p += 2 + len;
    count++;
  }
  return count > 0;
}

export const dissector: Dissector = {
  id: P.IEC60870,
  on: On.Tcp,
  tcpPorts: [2404],
  budget: 2,
  tcpFirstBytes: [0x68], // APCI start
  tcpFirstPacket: { short: [0x68] }, // a 6-byte S/U-format APDU
  fields: [],
  doc: 'IEC 60870-5-104 APCI: segments made of whole APDUs (0x68, length, U/S/I control fields, ASDU type and cause checked).',
  dissect(ctx: DissectContext): Verdict {
    return apdus(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
