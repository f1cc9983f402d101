/**
 * Oracle Net (TNS) connect: the 8-byte TNS packet header (packet length and
 * packet checksum, big-endian; packet type; flags; header checksum) with type
 * 1 (CONNECT), the length equal to the segment (or larger when the connect
 * data follows in the next segment), zero checksums, then the CONNECT body:
 * protocol version and lowest compatible version (both 300..320 for
 * current clients, compatible <= version), and the offset of the connect
 * data within the packet. The CONNECT alone is enough when its connect
 * descriptor ("(DESCRIPTION=...") is in the segment; otherwise the server
 * answering with ACCEPT (2), REFUSE (4), REDIRECT (5) or RESEND (11) confirms it.
 * Ignores: TNS data packets, the connect descriptor's contents, NA/ANO.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** 0 not a CONNECT, 1 CONNECT, 2 CONNECT with its "(...)" connect descriptor in this segment. */
function connect(b: Buffer, o: number, n: number): number {
  if (n < 34) return 0;
  const len = be16(b, o);
  if (len < 34 || len < n || b[o + 4] !== 1 || be16(b, o + 2) !== 0 || be16(b, o + 6) !== 0) return 0;
  const ver = be16(b, o + 8);
  const compat = be16(b, o + 10);
  if (ver < 300 || ver > 330 || compat < 300 || compat > ver) return 0;
  // Connect data length and offset (from the packet start) at 24 and 26.
  const dlen = be16(b, o + 24);
  const doff = be16(b, o + 26);
  if (doff < 34 || doff + dlen !== len) return 0;
  return doff + 1 < n && b[o + doff] === 0x28 && b[o + doff + 1] >= 0x41 ? 2 : 1;
}

function response(b: Buffer, o: number, n: number): boolean {
  if (n < 8) return false;
  const t = b[o + 4];
  return (t === 2 || t === 4 || t === 5 || t === 11) && be16(b, o) >= 8 && be16(b, o + 2) === 0 && be16(b, o + 6) === 0;
}

export const dissector: Dissector = {
  id: P.Oracle,
  on: On.Tcp,
  tcpPorts: [1521],
  budget: 4,
  // A client's CONNECT: packet type 1, zero checksums, versions 300-330.
  tcpFirstPacket: { minLen: 34, bytes: [[2, [0]], [3, [0]], [4, [1]], [6, [0]], [7, [0]], [8, [1]], [9, [[0x2c, 0x4a]]], [10, [1]], [11, [[0x2c, 0x4a]]]], short: [] },
  fields: [],
  doc: 'Oracle TNS CONNECT packet (header with type 1, versions 300..330, connect data inside the packet) followed by ACCEPT/REFUSE/REDIRECT/RESEND.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.state === undefined) {
      const c = ctx.dir === Dir.C2S ? connect(b, o, n) : 0;
      if (c === 0) return Verdict.Exclude;
      if (c === 2) return Verdict.Done;
      ctx.state = 1;
      return Verdict.Continue;
    }
    if (ctx.dir === Dir.C2S) return Verdict.Continue;
    return response(b, o, n) ? Verdict.Done : Verdict.Exclude;
  },
};
