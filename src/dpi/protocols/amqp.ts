/**
 * AMQP: the client's protocol header "AMQP" followed by the protocol id and
 * version (0-9-1: 0 0 9 1; 0-10: 1 1 0 10; 1.0: 0/2/3 1 0 0), and, for flows
 * seen after the handshake, AMQP 0-9-1 frames (AMQP 0-9-1 specification,
 * section 4.2.3): type (1 method, 2 content header, 3 body, 8 heartbeat),
 * 16-bit channel, 32-bit size, payload and the frame-end octet 0xCE. A method
 * frame must name a known class (10 connection, 20 channel, 40 exchange, 50
 * queue, 60 basic, 85 confirm, 90 tx); a content header frame a content
 * class (60) with weight 0; a heartbeat is on channel 0 with size 0.
 * Ignores: AMQP 1.0 performatives after the header, frame contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, be32, startsWith } from '../bytes';

const AMQP = ascii('AMQP');

function header(b: Buffer, o: number, n: number): boolean {
  if (n !== 8 || !startsWith(b, o, o + n, AMQP)) return false;
  const id = b[o + 4];
  const maj = b[o + 5];
  const min = b[o + 6];
  const rev = b[o + 7];
  return (id === 0 && maj === 0 && min === 9 && rev === 1) || (id === 1 && maj === 1 && min === 0 && (rev === 9 || rev === 10)) ||
    ((id === 0 || id === 2 || id === 3) && maj === 1 && min === 0 && rev === 0);
}

function knownClass(c: number): boolean {
  return c === 10 || c === 20 || c === 40 || c === 50 || c === 60 || c === 85 || c === 90;
}

/** True when the segment starts with a complete, plausible AMQP 0-9-1 frame. */
function frame(b: Buffer, o: number, n: number): boolean {
  if (n < 8) return false;
  const type = b[o];
  const size = be32(b, o + 3);
  if (size > n - 8 || b[o + 7 + size] !== 0xce) return false;
  switch (type) {
    case 1:
      return size >= 4 && knownClass(be16(b, o + 7));
    case 2:
      return size >= 14 && be16(b, o + 7) === 60 && be16(b, o + 9) === 0;
    case 8:
      return size === 0 && be16(b, o + 1) === 0;
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.AMQP,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x01, 0x02, 0x08], // 0-9-1 frame types method, header, heartbeat ("AMQP" headers are 8 bytes)
  tcpFirstPacket: { short: [0x01, 0x08, 0x41] }, // method frame (12 bytes), heartbeat (8), 'A'MQP header (8)
  fields: [],
  doc: 'AMQP protocol header ("AMQP" + 0-9-1 / 0-10 / 1.0 version) or an AMQP 0-9-1 method/header/heartbeat frame ending with 0xCE.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (header(b, o, n) || frame(b, o, n)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
