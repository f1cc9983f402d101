/**
 * BFCP, the Binary Floor Control Protocol (RFC 8855, formerly RFC 4582),
 * over TCP or UDP: a 12-byte common header: version (3 bits: 1, or 2 over
 * UDP), R and F flags, 3 reserved bits (zero), primitive (1 FloorRequest ..
 * 17 FloorRequestStatusAck), payload length in 4-octet units, conference id
 * (4), transaction id (2) and user id (2). Responses and notifications keep
 * the conference and user ids. Recognised when two messages of the flow
 * have valid headers with the same conference id and user id.
 * Ignores: the attributes (floor ids, status, information).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const HEADER = 12;
const PRIMITIVE_MAX = 17;

interface BfcpState {
  conference: number;
  user: number;
}

function validHeader(b: Buffer, o: number, n: number): boolean {
  if (n < HEADER) return false;
  const ver = b[o] >> 5;
  const primitive = b[o + 1];
  return (ver === 1 || ver === 2) && (b[o] & 0x07) === 0 && primitive >= 1 && primitive <= PRIMITIVE_MAX;
}

export const dissector: Dissector = {
  id: P.BFCP,
  on: On.TcpUdp,
  budget: 4,
  tcpFirstBytes: [0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58], // version 1/2, R and F flags, reserved bits 0
  udpFirstBytes: [0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58],
  tcpFirstPacket: { short: [0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58] }, // a 12-15 byte common header
  udpFirstPacket: { short: [0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58] },
  fields: [],
  doc: 'BFCP (RFC 8855): two messages with valid common headers (version 1/2, primitive 1-17) sharing conference and user ids.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (!validHeader(b, o, ctx.len)) return Verdict.Exclude;
    const conference = be32(b, o + 4);
    const user = be16(b, o + 10);
    const st = ctx.state as BfcpState | undefined;
    if (st === undefined) {
      ctx.state = { conference, user };
      return Verdict.Continue;
    }
    return st.conference === conference && st.user === user ? Verdict.Done : Verdict.Exclude;
  },
};
