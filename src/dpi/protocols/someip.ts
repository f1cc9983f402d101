/**
 * SOME/IP (AUTOSAR "SOME/IP Protocol Specification", 4.1.2 header format):
 * message id (service id, method/event id), 32-bit length counting from the
 * request id to the end of the message, request id (client id, session id),
 * protocol version 1, interface version, message type (0x00 request, 0x01
 * request without return, 0x02 notification, 0x80 response, 0x81 error;
 * 0x20 ORed in for SOME/IP-TP segments; 0x40/0x41 acknowledgements) and
 * return code (0x00..0x5E). Messages must tile the payload exactly
 * (several may share a datagram). Service Discovery (message id 0xFFFF8100)
 * is SOME/IP too.
 * Ignores: payloads and SD entries/options.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, FirstPacket, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

function typeOk(t: number): boolean {
  const base = t & ~0x20;
  return base === 0x00 || base === 0x01 || base === 0x02 || base === 0x80 || base === 0x81 || t === 0x40 || t === 0x41;
}

function messages(b: Buffer, o: number, n: number): boolean {
  let p = o;
  const end = o + n;
  let count = 0;
  while (p < end && count < 32) {
    if (p + 16 > end) return false;
    const len = be32(b, p + 4);
    if (len < 8 || p + 8 + len > end) return false;
    if (b[p + 12] !== 1 || !typeOk(b[p + 14]) || b[p + 15] > 0x5e) return false;
    // Requests and notifications carry return code 0.
    if ((b[p + 14] & 0x80) === 0 && b[p + 15] !== 0) return false;
    p += 8 + len;
    count++;
  }
  return p === end && count > 0;
}

/** The first message's header as messages() checks it (its length field is below 2^24). */
const SOMEIP_FIRST: FirstPacket = {
  bytes: [[4, [0]], [12, [1]], [14, [0x00, 0x01, 0x02, 0x20, 0x21, 0x22, 0x40, 0x41, 0x80, 0x81, 0xa0, 0xa1]], [15, [[0, 0x5e]]]],
  short: [], // a message header is 16 bytes
};

export const dissector: Dissector = {
  id: P.SOMEIP,
  on: On.TcpUdp,
  tcpPorts: [30491, 30501],
  udpPorts: [30491, 30501, 30490],
  budget: 2,
  // Length (high byte), protocol version 1, message type, return code of the first message.
  tcpFirstPacket: SOMEIP_FIRST,
  udpFirstPacket: SOMEIP_FIRST,
  fields: [],
  doc: 'SOME/IP header (length, protocol version 1, message type, return code) with messages tiling the payload; SOME/IP-SD included.',
  dissect(ctx: DissectContext): Verdict {
    return messages(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
