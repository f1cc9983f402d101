/**
 * Elasticsearch transport protocol (node-to-node and transport clients,
 * default port 9300; Elasticsearch source TcpHeader / InboundDecoder): each
 * message is the marker "ES", a 32-bit message length (bytes after the
 * length field), a 64-bit request id, a status byte (bits 0 response, 1
 * error, 2 compressed, 3 handshake) and the sender's 32-bit version id
 * (e.g. 7060299 for 7.6.2). A keep-alive ping is "ES" with length -1.
 * A message counts when its length ends at the segment's end or at another
 * "ES" marker (or runs past a full-sized segment) and the version id is
 * plausible.
 * Ignores: the HTTP REST API (port 9200 is plain HTTP), message contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

/** 1 a message header, 2 a ping, 0 not Elasticsearch. */
function message(b: Buffer, o: number, n: number): number {
  if (n < 6 || b[o] !== 0x45 || b[o + 1] !== 0x53) return 0;
  const len = be32(b, o + 2);
  if (len === 0xffffffff) return n === 6 ? 2 : 0;
  if (n < 19 || len < 13) return 0;
  const next = o + len + 6;
  if (next < o + n && !(next + 1 < o + n && b[next] === 0x45 && b[next + 1] === 0x53)) return 0;
  if (next > o + n && n < 512) return 0;
  if ((b[o + 14] & 0xf0) !== 0) return 0;
  // Version ids are major*1000000 + minor*10000 + revision*100 + build (99 release).
  const v = be32(b, o + 15);
  if (v < 5000000 || v > 99999999) return 0;
  return 1;
}

export const dissector: Dissector = {
  id: P.Elasticsearch,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x45], // 'E'S
  // "ES", status flags' high nibble clear, version id 5000000-99999999 (the 6-byte ping is shorter).
  tcpFirstPacket: { minLen: 19, bytes: [[1, [0x53]], [14, [[0, 0x0f]]], [15, [[0, 5]]]], short: [0x45] },
  fields: [],
  doc: 'Elasticsearch transport protocol: "ES" marker, message length, request id, status flags and a plausible version id (or the "ES" -1 ping).',
  dissect(ctx: DissectContext): Verdict {
    const r = message(ctx.buf, ctx.off, ctx.len);
    if (r === 0) return Verdict.Exclude;
    return Verdict.Done;
  },
};
