/**
 * SD-RTN, Agora's Software Defined Real-time Network: the client's first
 * UDP datagram to an Agora edge carries a tag/value handshake whose first
 * tag is "SNI", holding the edge's host name (e.g.
 * "104-166-161-75.edge.agora.io"), followed by crypto tags (PDMD, CPTO,
 * NONC, AEAD, PUBS). Layout as observed in Agora traffic: byte 6 is 0x21,
 * bytes 12-15 are 0x04 "SNI", bytes 16-17 the host name length
 * (big-endian), byte 18 zero, the name from byte 19. Recognised from that
 * layout with a length that fits the datagram and a host-name-shaped value,
 * which is reported as server_name.
 * Ignores: the other tags and the media packets.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const HEADER = 19;

function hostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f;
}

export const dissector: Dissector = {
  id: P.SD_RTN,
  on: On.Udp,
  budget: 2,
  udpFirstPacket: { minLen: HEADER + 1, bytes: [[6, [0x21]], [12, [0x04]], [13, [0x53]], [14, [0x4e]], [15, [0x49]]], short: [] },
  fields: ['server_name'],
  doc: 'SD-RTN (Agora): the handshake datagram whose first tag is "SNI" with the edge host name (reported as server_name).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < HEADER + 1 || b[o + 6] !== 0x21 || b[o + 12] !== 0x04 || b[o + 13] !== 0x53 || b[o + 14] !== 0x4e || b[o + 15] !== 0x49) {
      return Verdict.Exclude;
    }
    const nameLen = be16(b, o + 16);
    if (b[o + 18] !== 0 || nameLen === 0 || nameLen > 253 || HEADER + nameLen > n) return Verdict.Exclude;
    for (let i = 0; i < nameLen; i++) if (!hostChar(b[o + HEADER + i])) return Verdict.Exclude;
    ctx.set('server_name', b.toString('latin1', o + HEADER, o + HEADER + nameLen));
    return Verdict.Done;
  },
};
