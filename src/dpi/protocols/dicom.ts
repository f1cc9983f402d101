/**
 * DICOM upper layer protocol (DICOM PS3.8, 9.3.2 A-ASSOCIATE-RQ PDU): PDU
 * type 0x01, reserved 0, 32-bit PDU length (the segment holds at most that
 * many bytes after the 6-byte header), protocol version 0x0001, two reserved
 * bytes, the called and calling AE titles (16 bytes each, printable,
 * space-padded), 32 reserved bytes and the Application Context item (type
 * 0x10). The server's A-ASSOCIATE-AC (type 0x02) has the same layout.
 * Ignores: presentation contexts, DIMSE messages in P-DATA PDUs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

function aeTitle(b: Buffer, p: number): boolean {
  for (let i = p; i < p + 16; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.DICOM,
  on: On.Tcp,
  tcpPorts: [104],
  budget: 2,
  tcpFirstBytes: [0x01, 0x02], // A-ASSOCIATE-RQ/AC
  tcpFirstPacket: { short: [] }, // 75 bytes and more
  fields: [],
  doc: 'DICOM A-ASSOCIATE-RQ/AC PDU: type 1/2, length, protocol version 1, printable AE titles, Application Context item 0x10.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 75 || (b[o] !== 1 && b[o] !== 2) || b[o + 1] !== 0) return Verdict.Exclude;
    const len = be32(b, o + 2);
    if (len + 6 < n || len > 0x100000 || be16(b, o + 6) !== 1 || be16(b, o + 8) !== 0) return Verdict.Exclude;
    if (!aeTitle(b, o + 10) || !aeTitle(b, o + 26) || b[o + 74] !== 0x10) return Verdict.Exclude;
    return Verdict.Done;
  },
};
