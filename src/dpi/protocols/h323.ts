/**
 * H.323 call signalling over TCP (ITU-T H.225.0): Q.931 messages carried in
 * TPKT (RFC 1006) framing. The TPKT header (version 3, reserved 0, length
 * equal to the segment), then the Q.931 protocol discriminator 0x08, a call
 * reference of at most 2 bytes, a Q.931 message type used by H.225.0 (SETUP,
 * CALL PROCEEDING, ALERTING, CONNECT, PROGRESS, FACILITY, INFORMATION,
 * NOTIFY, STATUS, STATUS ENQUIRY, RELEASE COMPLETE) and information
 * elements up to the end, one of them the user-user element (0x7E) that
 * carries the H.225.0 PDU.
 * Ignores: RAS over UDP (ASN.1 PER without a fixed header), H.245, the
 * H.225.0 PDU contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function messageType(t: number): boolean {
  switch (t) {
    case 0x01: case 0x02: case 0x03: case 0x05: case 0x07: case 0x0d: case 0x5a: case 0x62: case 0x6e: case 0x75:
    case 0x7b: case 0x7d:
      return true;
    default:
      return false;
  }
}

function q931(b: Buffer, o: number, len: number): boolean {
  const end = o + len;
  if (len < 4 || b[o] !== 0x08) return false;
  const crl = b[o + 1] & 0x0f;
  if ((b[o + 1] & 0xf0) !== 0 || crl > 2) return false;
  let p = o + 2 + crl;
  if (p >= end || !messageType(b[p])) return false;
  p++;
  let userUser = false;
  while (p < end) {
    const ie = b[p];
    if ((ie & 0x80) !== 0) {
      p++; // single-octet information element
      continue;
    }
    if (ie === 0x7e) {
      if (p + 3 > end) return false;
      const n = be16(b, p + 1);
      p += 3 + n;
      userUser = true;
    } else {
      if (p + 2 > end) return false;
      p += 2 + b[p + 1];
    }
  }
  return p === end && userUser;
}

export const dissector: Dissector = {
  id: P.H323,
  on: On.Tcp,
  tcpPorts: [1719, 1720],
  budget: 2,
  tcpFirstBytes: [0x03], // TPKT version 3
  tcpFirstPacket: { short: [0x03] }, // TPKT + a Q.931 message with an empty user-user element fits in 10 bytes
  fields: [],
  doc: 'H.323 call signalling: TPKT-framed Q.931 messages (H.225.0) with a user-user information element.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const len = ctx.len;
    if (ctx.dirIndex !== 0 || len < 8 || b[o] !== 3 || b[o + 1] !== 0 || be16(b, o + 2) !== len) return Verdict.Exclude;
    if (!q931(b, o + 4, len - 4)) return Verdict.Exclude;
    ctx.detect(P.H323);
    return Verdict.Done;
  },
};
