/**
 * Service Location Protocol, version 2 (RFC 2608 8) and version 1 (RFC 2165
 * 7). Version 2 header: version 2, function 1..11 (SrvRqst .. SAAdvert),
 * 3-byte message length, flags (only O, F, R defined; the other 13 bits
 * zero), 3-byte next extension offset (inside the message), XID, language
 * tag length and tag (ASCII letters, digits and '-'). Version 1 header:
 * version 1, function 1..10, 2-byte length, flags, dialect 0, a 2-letter
 * language code, character encoding, XID. The length must equal the UDP
 * payload (over TCP: cover at least the first segment). Recognised on any
 * port (SLP's is 427).
 * Ignores: message bodies (URL entries, attribute lists, SPI and
 * authentication blocks).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function letter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function langChar(c: number): boolean {
  return letter(c) || (c >= 48 && c <= 57) || c === 45;
}

function lengthOk(ctx: DissectContext, len: number): boolean {
  return ctx.l4 === 17 ? len === ctx.len : len >= ctx.len;
}

export const dissector: Dissector = {
  id: P.Service_Location_Protocol,
  on: On.TcpUdp,
  tcpPorts: [427],
  udpPorts: [427],
  budget: 1,
  tcpFirstBytes: [1, 2], // version 1 or 2
  udpFirstBytes: [1, 2],
  // function id; short: a v1 header is 12 bytes (v2 needs 16)
  tcpFirstPacket: { bytes: [[1, [[1, 11]]]], short: [0x01] },
  udpFirstPacket: { bytes: [[1, [[1, 11]]]], short: [0x01] },
  fields: [],
  doc: 'Service Location Protocol v2 (RFC 2608) and v1 (RFC 2165) headers: version, function, exact length, flags, language tag.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.dirIndex !== 0) return Verdict.Exclude;
    const buf = ctx.buf;
    const off = ctx.off;
    const fn = buf[off + 1];
    if (buf[off] === 2) {
      if (ctx.len < 16 || fn < 1 || fn > 11) return Verdict.Exclude;
      const len = (buf[off + 2] << 16) | be16(buf, off + 3);
      if (!lengthOk(ctx, len) || (be16(buf, off + 5) & 0x1fff) !== 0) return Verdict.Exclude;
      const ext = (buf[off + 7] << 16) | be16(buf, off + 8);
      if (ext !== 0 && (ext < 14 || ext >= len)) return Verdict.Exclude;
      const tagLen = be16(buf, off + 12);
      if (tagLen < 1 || tagLen > 64 || 14 + tagLen > ctx.len) return Verdict.Exclude;
      if (!letter(buf[off + 14])) return Verdict.Exclude;
      for (let i = off + 15; i < off + 14 + tagLen; i++) if (!langChar(buf[i])) return Verdict.Exclude;
    } else if (buf[off] === 1) {
      if (ctx.len < 12 || fn < 1 || fn > 10) return Verdict.Exclude;
      if (!lengthOk(ctx, be16(buf, off + 2)) || (buf[off + 4] & 0x07) !== 0 || buf[off + 5] !== 0) return Verdict.Exclude;
      if (!letter(buf[off + 6]) || !letter(buf[off + 7])) return Verdict.Exclude;
    } else {
      return Verdict.Exclude;
    }
    ctx.detect(P.Service_Location_Protocol);
    return Verdict.Done;
  },
};
