/**
 * DLEP, the Dynamic Link Exchange Protocol (RFC 8175). Discovery over UDP:
 * the prefix "DLEP" then a signal (type 1 Peer Discovery, 2 Peer Offer,
 * 16-bit length) whose data items (16-bit type 1..30ish, 16-bit length)
 * tile the datagram. Sessions over TCP: messages (type 1..17, 16-bit length
 * of the data items) whose data items tile the message; the segment must be
 * made of whole messages.
 * Ignores: data item values (peer type, heartbeat interval, metrics).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** True when data items tile buf[p, end) exactly. */
function items(b: Buffer, p: number, end: number): boolean {
  while (p < end) {
    if (p + 4 > end) return false;
    const t = be16(b, p);
    if (t === 0 || t > 64) return false;
    p += 4 + be16(b, p + 2);
  }
  return p === end;
}

/** True when buf[p, end) is made of whole messages/signals with types 1..max. */
function messages(b: Buffer, p: number, end: number, max: number): boolean {
  let count = 0;
  while (p < end) {
    if (p + 4 > end) return false;
    const t = be16(b, p);
    const len = be16(b, p + 2);
    if (t === 0 || t > max || p + 4 + len > end || !items(b, p + 4, p + 4 + len)) return false;
    p += 4 + len;
    count++;
  }
  return count > 0;
}

export const dissector: Dissector = {
  id: P.DLEP,
  on: On.TcpUdp,
  tcpPorts: [854],
  udpPorts: [854],
  budget: 2,
  tcpFirstBytes: [0x00], // message type 1..17 (BE16)
  udpFirstBytes: [0x44], // 'D'LEP
  tcpFirstPacket: { short: [0x00] }, // an 8-15 byte message (type 1..17)
  udpFirstPacket: { short: [0x44] }, // an 8-15 byte "DLEP" signal
  fields: [],
  doc: 'DLEP (RFC 8175): UDP "DLEP" discovery signals, or TCP session messages, with data items tiling each message.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.l4 === 17) {
      if (ctx.len < 8 || b[o] !== 0x44 || b[o + 1] !== 0x4c || b[o + 2] !== 0x45 || b[o + 3] !== 0x50) return Verdict.Exclude;
      return messages(b, o + 4, end, 2) ? Verdict.Done : Verdict.Exclude;
    }
    return ctx.len >= 8 && messages(b, o, end, 17) ? Verdict.Done : Verdict.Exclude;
  },
};
