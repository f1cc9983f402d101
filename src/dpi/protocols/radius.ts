/**
 * RADIUS (RFC 2865 3, accounting RFC 2866, dynamic authorization RFC 5176):
 * code 1..5 (Access-Request/Accept/Reject, Accounting-Request/Response),
 * 11..13 (Access-Challenge, Status-Server, Status-Client) or 40..45
 * (Disconnect/CoA), an identifier, a length of 20..4096 equal to the UDP
 * payload, the 16-byte authenticator, then attributes (type, length >= 2).
 * On the RADIUS ports (1812/1813 and the older 1645/1646) the header is
 * enough; elsewhere the attributes must also fill the message exactly.
 * Ignores: attribute values (User-Name is hidden by most deployments' use of
 * EAP), RADIUS over TCP/TLS (RFC 6613/6614).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function radiusPort(p: number): boolean {
  return p === 1812 || p === 1813 || p === 1645 || p === 1646;
}

function code(c: number): boolean {
  return (c >= 1 && c <= 5) || (c >= 11 && c <= 13) || (c >= 40 && c <= 45);
}

function attributesFit(buf: Buffer, p: number, end: number): boolean {
  while (p < end) {
    if (p + 2 > end || buf[p + 1] < 2) return false;
    p += buf[p + 1];
  }
  return p === end;
}

export const dissector: Dissector = {
  id: P.Radius,
  on: On.Udp,
  udpPorts: [1812, 1813],
  budget: 1,
  udpFirstBytes: [[1, 5], [11, 13], [40, 45]], // codes
  udpFirstPacket: { minLen: 20, maxLen: 4096, bytes: [[2, [[0, 0x10]]]], short: [] }, // length field = datagram length <= 4096
  fields: [],
  doc: 'RADIUS (RFC 2865/2866/5176) packets: code, length equal to the datagram, attribute list.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    if (ctx.len < 20 || ctx.len > 4096 || !code(buf[off]) || be16(buf, off + 2) !== ctx.len) return Verdict.Exclude;
    if (!radiusPort(ctx.serverPort) && !radiusPort(ctx.clientPort) && !attributesFit(buf, off + 20, off + ctx.len)) return Verdict.Exclude;
    ctx.detect(P.Radius);
    return Verdict.Done;
  },
};
