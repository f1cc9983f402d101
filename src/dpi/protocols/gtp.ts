/**
 * GTP, the GPRS Tunnelling Protocol, over UDP:
 *  - GTPv1 (3GPP TS 29.060 / 29.281): flags with version 1, protocol type 1
 *    and the spare bit clear, message type, length (bytes after the 8-byte
 *    mandatory header) equal to the rest of the datagram; the optional
 *    sequence/N-PDU/extension word is present when any of E/S/PN is set.
 *    User-plane messages (G-PDU 255, end marker 254, error indication 26,
 *    supported extension headers 31) are GTP.GTP_U; echo request/response
 *    (1/2) are GTP_U on port 2152 and GTP_C elsewhere; the others GTP.GTP_C.
 *  - GTPv2-C (3GPP TS 29.274): version 2, spare bits clear, message type
 *    non-zero, length (bytes after the first 4) equal to the rest of the
 *    datagram (several messages may be piggybacked when P is set):
 *    GTP.GTP_C.
 *  - GTP' (3GPP TS 32.295, charging): version 0..2, protocol type 0, spare
 *    bits '111', 6-byte header (20 bytes for the old version 0 header),
 *    message type 1..7 or 240/241, length equal to the rest: GTP.GTP_PRIME.
 * Ignores: information elements, the tunnelled user packets (the decoder
 * unwraps G-PDUs on port 2152 before DPI).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const GTP_U_PORT = 2152;

function v1(ctx: DissectContext, b: Buffer, o: number, n: number): number {
  const flags = b[o];
  if ((flags & 0x18) !== 0x10) return 0;
  const type = b[o + 1];
  const len = be16(b, o + 2);
  if (len + 8 !== n || ((flags & 0x07) !== 0 && len < 4)) return 0;
  if (type === 255 || type === 254 || type === 26 || type === 31) return P.GTP_U;
  if (type === 1 || type === 2) return ctx.serverPort === GTP_U_PORT || ctx.clientPort === GTP_U_PORT ? P.GTP_U : P.GTP_C;
  if (type === 0 || (type > 7 && type < 16) || (type > 62 && type < 96) || (type > 129 && type < 240) || type > 241) return 0;
  return P.GTP_C;
}

function v2(b: Buffer, o: number, n: number): number {
  let p = o;
  const end = o + n;
  let count = 0;
  while (p < end) {
    if (p + 8 > end) return 0;
    const flags = b[p];
    if ((flags & 0xe0) !== 0x40 || (flags & 0x07) !== 0 || b[p + 1] === 0) return 0;
    const len = be16(b, p + 2);
    if (len < ((flags & 0x08) !== 0 ? 8 : 4) || p + 4 + len > end) return 0;
    count++;
    p += 4 + len;
    if ((flags & 0x10) === 0) break;
  }
  return p === end && count > 0 ? P.GTP_C : 0;
}

function prime(b: Buffer, o: number, n: number): number {
  const flags = b[o];
  if ((flags >> 5) > 2 || (flags & 0x1e) !== 0x0e) return 0;
  const hdr = (flags & 0x01) === 0 ? 6 : 20;
  const type = b[o + 1];
  if (!((type >= 1 && type <= 7) || type === 240 || type === 241)) return 0;
  return n >= hdr && be16(b, o + 2) + hdr === n ? P.GTP_PRIME : 0;
}

export const dissector: Dissector = {
  id: P.GTP,
  alsoDetects: [P.GTP_C, P.GTP_U, P.GTP_PRIME],
  on: On.Udp,
  udpPorts: [2152, 2123],
  budget: 2,
  // GTP' flags (version 0..2), GTPv1 flags, GTPv2 flags
  udpFirstBytes: [0x0e, 0x0f, 0x2e, 0x2f, [0x30, 0x37], 0x40, 0x48, 0x4e, 0x4f, 0x50, 0x58],
  // GTP' with the 6-byte header (the 20-byte v0 header is too long), GTPv1 (8 bytes), GTPv2 (8 bytes)
  udpFirstPacket: { short: [0x0e, 0x2e, [0x30, 0x37], 0x40, 0x48, 0x4e, 0x50, 0x58] },
  fields: [],
  doc: 'GTPv1-C/U, GTPv2-C and GTP\' headers with lengths equal to the datagram; labelled GTP.GTP_C, GTP.GTP_U or GTP.GTP_PRIME.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 6) return Verdict.Exclude;
    const ver = b[o] >> 5;
    let app = 0;
    if ((b[o] & 0x1e) === 0x0e) app = prime(b, o, n);
    else if (ver === 1 && n >= 8) app = v1(ctx, b, o, n);
    else if (ver === 2) app = v2(b, o, n);
    if (app === 0) return Verdict.Exclude;
    ctx.detect(app, P.GTP);
    return Verdict.Done;
  },
};
