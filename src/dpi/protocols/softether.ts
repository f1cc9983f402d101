/**
 * SoftEther VPN over UDP (SoftEther VPN source: Mayaqua/Pack.c for the PACK
 * serialisation, Cedar/NatT.c for the NAT traversal service on UDP 5004):
 *  - the NAT-T address query ("A", a single byte) answered by
 *    "IP=<address>,PORT=<port>";
 *  - PACK messages: a 32-bit element count, then per element its name (a
 *    32-bit length counting a terminator that is not sent, the name), the
 *    value type (0 int, 1 data, 2 string, 3 unicode string, 4 int64), the
 *    value count and the values (4 or 8 bytes, or a 32-bit size and the
 *    bytes), which must fill the datagram exactly.
 * SoftEther's TCP sessions run over TLS/HTTP and are left to those dissectors.
 * Ignores: the values themselves (host names, tokens).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be32, indexOf, startsWith } from '../bytes';

const IP_EQ = ascii('IP=');
const PORT_EQ = ascii(',PORT=');

function natTReply(b: Buffer, o: number, len: number): boolean {
  if (len < 16 || len > 64 || !startsWith(b, o, o + len, IP_EQ)) return false;
  const sep = indexOf(b, o + 3, o + len, PORT_EQ);
  if (sep < o + 4) return false;
  for (let i = o + 3; i < sep; i++) {
    const c = b[i];
    if (!((c >= 48 && c <= 57) || c === 46 || c === 58 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  const p = sep + PORT_EQ.length;
  if (p >= o + len) return false;
  for (let i = p; i < o + len; i++) if (b[i] < 48 || b[i] > 57) return false;
  return true;
}

function pack(b: Buffer, o: number, len: number): boolean {
  const end = o + len;
  if (len < 24) return false;
  const count = be32(b, o);
  if (count === 0 || count > 4096 || count * 12 > len) return false;
  let p = o + 4;
  for (let e = 0; e < count; e++) {
    if (p + 4 > end) return false;
    const nlen = be32(b, p);
    if (nlen < 2 || nlen > 64 || p + 4 + nlen - 1 + 8 > end) return false;
    for (let i = 0; i < nlen - 1; i++) {
      const c = b[p + 4 + i];
      if (c < 0x21 || c > 0x7e) return false;
    }
    p += 4 + nlen - 1;
    const type = be32(b, p);
    const n = be32(b, p + 4);
    p += 8;
    if (type > 4 || n === 0 || n > 65536) return false;
    for (let v = 0; v < n; v++) {
      if (type === 0) p += 4;
      else if (type === 4) p += 8;
      else {
        if (p + 4 > end) return false;
        const size = be32(b, p);
        if (size > end - p - 4) return false;
        p += 4 + size;
      }
      if (p > end) return false;
    }
  }
  return p === end;
}

export const dissector: Dissector = {
  id: P.Softether,
  on: On.Udp,
  budget: 4,
  udpFirstBytes: [0x00, 0x49], // PACK element count (<= 4096), NAT-T reply 'I'P=
  udpFirstPacket: { bytes: [[1, [0x00, 0x50]], [2, [[0x00, 0x10], 0x3d]]], short: [0x41] }, // count <= 4096, I'P='; short: the 1-byte NAT-T query "A"
  fields: [],
  doc: 'SoftEther VPN over UDP: NAT-T "IP=...,PORT=..." replies and PACK-serialised messages (Mayaqua Pack format).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const len = ctx.len;
    if (len === 1) return b[o] === 0x41 && ctx.flowIndex < 3 ? Verdict.Continue : Verdict.Exclude;
    if (natTReply(b, o, len) || pack(b, o, len)) {
      ctx.detect(P.Softether);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
