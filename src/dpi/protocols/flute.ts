/**
 * FLUTE, File Delivery over Unidirectional Transport (RFC 6726) over ALC
 * (RFC 5775) / LCT (RFC 5651), typically UDP multicast. The LCT header:
 * version 1 in the top 4 bits, C (congestion control field size), PSI, S, O
 * and H flags that size the CCI, TSI and TOI fields, the header length in
 * 32-bit words and the codepoint. Object TOI 0 is the File Delivery Table,
 * an XML "FDT-Instance" document. Recognised when an LCT header with
 * consistent field sizes carries TOI 0 and, after the FEC payload id, the
 * XML declaration of an FDT instance.
 * Ignores: the file objects (TOI > 0) and header extensions' contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf, startsWith } from '../bytes';

const XML = ascii('<?xml');
const FDT = ascii('<FDT-Instance');
const FDT_WINDOW = 256;

function isFdt(b: Buffer, o: number, n: number): boolean {
  if (n < 16 || b[o] >> 4 !== 1) return false;
  const c = (b[o] >> 2) & 3;
  const s = (b[o + 1] >> 7) & 1;
  const oo = (b[o + 1] >> 5) & 3;
  const h = (b[o + 1] >> 4) & 1;
  const hdrLen = b[o + 2] * 4;
  const cci = 4 * (c + 1);
  const tsi = 4 * s + 2 * h;
  const toi = 4 * oo + 2 * h;
  if (tsi === 0 || toi === 0 || 4 + cci + tsi + toi > hdrLen || hdrLen + 4 + XML.length > n) return false;
  const toiAt = o + 4 + cci + tsi;
  for (let i = 0; i < toi; i++) if (b[toiAt + i] !== 0) return false;
  const end = o + n;
  for (const fecId of [4, 8]) {
    const p = o + hdrLen + fecId;
    if (startsWith(b, p, end, XML)) return indexOf(b, p, Math.min(end, p + FDT_WINDOW), FDT) >= 0;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.FLUTE,
  on: On.Udp,
  budget: 4,
  udpFirstBytes: [[0x10, 0x1f]], // LCT version 1
  udpFirstPacket: { short: [] }, // 16 bytes at least
  fields: [],
  doc: 'FLUTE (RFC 6726): an ALC/LCT packet (RFC 5651 header, TOI 0) carrying the XML FDT-Instance.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 16 || b[o] >> 4 !== 1) return Verdict.Exclude;
    return isFdt(b, o, ctx.len) ? Verdict.Done : Verdict.Continue;
  },
};
