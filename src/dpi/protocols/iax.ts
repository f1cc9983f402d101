/**
 * IAX2, the Inter-Asterisk eXchange protocol version 2 (RFC 5456), over UDP
 * (port 4569): a full frame (F bit set) carries the source call number, the
 * retransmission bit and destination call number, a 32-bit timestamp, the
 * outbound/inbound sequence numbers, the frame type and subclass. An IAX
 * control frame (type 6, subclass 1-37) carrying information elements
 * (non-zero type, length, data) that fill the datagram exactly identifies the
 * flow; a NEW (subclass 1) must have destination call number 0.
 * Ignores: other full frames, mini frames and meta frames (too little
 * structure to tell them from noise), media.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function fullFrame(b: Buffer, o: number, len: number): boolean {
  if (len < 12 || (b[o] & 0x80) === 0) return false;
  if ((be16(b, o) & 0x7fff) === 0) return false;
  const type = b[o + 10];
  const sub = b[o + 11];
  // IAX control frame with at least one information element, subclass 1..37, elements to the end.
  if (type !== 6 || len < 14 || sub < 1 || sub > 37) return false;
  if (sub === 1 && (be16(b, o + 2) & 0x7fff) !== 0) return false;
  let p = o + 12;
  const end = o + len;
  while (p + 2 <= end) {
    if (b[p] === 0) return false;
    p += 2 + b[p + 1];
  }
  return p === end;
}

export const dissector: Dissector = {
  id: P.IAX,
  on: On.Udp,
  udpPorts: [4569],
  budget: 2,
  udpFirstBytes: [[0x80, 0xff]], // full frame: F bit set
  // Control frame, subclass 1-37; short: a 14-15 byte control frame with one element.
  udpFirstPacket: { minLen: 14, bytes: [[10, [6]], [11, [[1, 37]]]], short: [[0x80, 0xff]] },
  fields: [],
  doc: 'IAX2 (RFC 5456) full frames: call numbers, frame type and subclass, information elements filling an IAX control frame.',
  dissect(ctx: DissectContext): Verdict {
    if (fullFrame(ctx.buf, ctx.off, ctx.len)) {
      ctx.detect(P.IAX);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
