/**
 * Gnutella (Gnutella Protocol Development specification v0.6, the RFC-Gnutella
 * drafts) and Gnutella2 (the G2 specification at g2.doxu.org):
 *  - TCP connection handshake: "GNUTELLA CONNECT/<version>" from the
 *    connecting servent, "GNUTELLA/<version> <code>" lines in either
 *    direction;
 *  - TLS connections as Gnutella servents open them (LimeWire, gtk-gnutella):
 *    a ClientHello offering only anonymous Diffie-Hellman cipher suites
 *    (TLS_DH_anon_*), which no browser or regular TLS client does;
 *  - UDP Gnutella 0.6 messages carrying the Mojito DHT (function 0x44): the
 *    23-byte descriptor header (GUID, function, version, little-endian
 *    payload length that must match the datagram) followed by a Mojito
 *    opcode;
 *  - G2 UDP datagrams ("GND" header: flags, sequence, part, count) whose
 *    first part holds a well-formed G2 packet (control byte, length, upper
 *    case name).
 * HTTP transfers between servents (GET /uri-res/..., GET /gnutella/...) are
 * left to the HTTP dissector, which labels them HTTP.Gnutella.
 * Ignores: Gnutella UDP pings/pongs and other single-datagram descriptors
 * whose only evidence is the length field, the message stream after the
 * handshake.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, le32, startsWith } from '../bytes';

const CONNECT = ascii('GNUTELLA CONNECT/');
const REPLY = ascii('GNUTELLA/');

/** TLS_DH_anon_* cipher suites (RFC 5246 A.5, RFC 4492, RFC 5289 ...). */
function anonDhSuite(v: number): boolean {
  switch (v) {
    case 0x0017: case 0x0018: case 0x0019: case 0x001a: case 0x001b:
    case 0x0034: case 0x003a: case 0x006c: case 0x006d: case 0x0046: case 0x0089:
    case 0x009b: case 0x00a6: case 0x00a7: case 0x00bf: case 0x00c5:
    case 0xc015: case 0xc016: case 0xc017: case 0xc018: case 0xc019:
      return true;
    default:
      return false;
  }
}

/** A TLS ClientHello record (in one segment) whose cipher list holds only anonymous DH suites. */
function anonTlsHello(buf: Buffer, off: number, len: number): boolean {
  if (len < 47 || buf[off] !== 0x16 || buf[off + 1] !== 3 || buf[off + 5] !== 1) return false;
  if (be16(buf, off + 3) + 5 > len) return false;
  let p = off + 9 + 2 + 32;
  const end = off + len;
  const sid = buf[p];
  p += 1 + sid;
  if (sid > 32 || p + 2 > end) return false;
  const n = be16(buf, p);
  p += 2;
  if (n < 2 || (n & 1) !== 0 || p + n > end) return false;
  for (let i = 0; i < n; i += 2) {
    const s = be16(buf, p + i);
    if (s === 0x00ff) continue; // renegotiation SCSV
    if (!anonDhSuite(s)) return false;
  }
  return true;
}

/** Gnutella 0.6 UDP descriptor carrying a Mojito DHT message. */
function mojito(buf: Buffer, off: number, len: number): boolean {
  if (len < 23 + 7 || buf[off + 16] !== 0x44) return false;
  if (le32(buf, off + 19) + 23 !== len) return false;
  const opcode = buf[off + 23];
  return opcode >= 1 && opcode <= 0x0c;
}

/** G2 UDP datagram: "GND", flags, sequence (LE), part, count, then a G2 packet when it is the first undeflated part. */
function g2Datagram(buf: Buffer, off: number, len: number): boolean {
  if (len < 8 || buf[off] !== 0x47 || buf[off + 1] !== 0x4e || buf[off + 2] !== 0x44) return false;
  const flags = buf[off + 3];
  const part = buf[off + 6];
  const count = buf[off + 7];
  if ((flags & 0xe0) !== 0) return false;
  if (count === 0) return len === 8 && part >= 1; // acknowledgement
  if (part === 0 || part > count) return false;
  if (len === 8) return false;
  if (part !== 1 || (flags & 1) !== 0) return true;
  // G2 packet: control byte (length-of-length, name length - 1, flags), length, name.
  const cb = buf[off + 8];
  const lenLen = cb >> 6;
  const nameLen = ((cb >> 3) & 7) + 1;
  if ((cb & 1) !== 0) return false;
  let p = off + 9;
  const end = off + len;
  if (p + lenLen + nameLen > end) return false;
  let plen = 0;
  const be = (cb & 2) !== 0;
  for (let i = 0; i < lenLen; i++) plen = be ? (plen << 8) | buf[p + i] : plen | (buf[p + i] << (8 * i));
  p += lenLen;
  for (let i = 0; i < nameLen; i++) {
    const c = buf[p + i];
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  p += nameLen;
  return p + plen <= end;
}

export const dissector: Dissector = {
  id: P.Gnutella,
  on: On.TcpUdp,
  budget: 4,
  tcpFirstBytes: [0x47, 0x16],
  // TCP: no short declaration, a 1-byte first segment of any value waits for the next one (Continue).
  udpFirstPacket: { short: [0x47] }, // the 8-byte "GND" acknowledgement
  fields: [],
  doc: 'Gnutella/G2: "GNUTELLA CONNECT/" handshakes, anonymous-DH TLS of servents, Mojito DHT messages and G2 "GND" datagrams over UDP (Gnutella 0.6, G2 specifications).',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    const b0 = buf[off];
    if (ctx.l4 === 6) {
      if (b0 === 0x47 /* G */) {
        if (startsWith(buf, off, off + len, CONNECT) || (len > REPLY.length + 3 && startsWith(buf, off, off + len, REPLY))) {
          ctx.detect(P.Gnutella);
          return Verdict.Done;
        }
        // A handshake line cut short: look at the next segment.
        if (len < CONNECT.length && ctx.flowIndex === 0) {
          for (let i = 1; i < len; i++) if (buf[off + i] !== CONNECT[i]) return Verdict.Exclude;
          return Verdict.Continue;
        }
        return Verdict.Exclude;
      }
      if (b0 === 0x16 && anonTlsHello(buf, off, len)) {
        ctx.detect(P.Gnutella);
        return Verdict.Done;
      }
      // The handshake may come from the server side first (GNUTELLA/0.6 200 after a reverse connect).
      return ctx.flowIndex === 0 && len <= 1 ? Verdict.Continue : Verdict.Exclude;
    }
    if ((b0 === 0x47 && g2Datagram(buf, off, len)) || mojito(buf, off, len)) {
      ctx.detect(P.Gnutella);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
