/**
 * Viber's proprietary transports (no public specification; message layouts
 * as observed and as nDPI recognises them):
 *  - UDP (voice relays, ports 7985-7987): a 2-byte connection tag, then a
 *    little-endian message type: 0x0001 with 0x0005 after it (session
 *    request), 0x0003 in 12-byte messages, 0x0009 in 20-byte messages, 0x0019/0x001b in 34-byte
 *    messages. A weak signature: checked after the other dissectors;
 *  - TCP (chat, ports 4244/5242/7985): each message starts with its total
 *    length (little-endian 16 bits) and carries the marker 0xFC 0xFF at
 *    offset 6 and 0x80 at offset 9.
 * Viber calls set up over STUN are the STUN dissector's (STUN.ViberVoip);
 * Viber's TLS and DNS traffic is classified by host name.
 * Ignores: message contents (encrypted).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le16 } from '../bytes';

function udpMessage(buf: Buffer, off: number, len: number): boolean {
  if (len < 6) return false;
  const type = le16(buf, off + 2);
  switch (type) {
    case 0x0001:
      return le16(buf, off + 4) === 0x0005;
    case 0x0003:
      return len === 12;
    case 0x0009:
      return len === 20;
    case 0x0019:
    case 0x001b:
      return len === 34;
    default:
      return false;
  }
}

function tcpMessage(buf: Buffer, off: number, len: number): boolean {
  return len >= 12 && le16(buf, off) === len && buf[off + 6] === 0xfc && buf[off + 7] === 0xff && buf[off + 9] === 0x80;
}

export const dissector: Dissector = {
  id: P.Viber,
  on: On.TcpUdp,
  tcpPorts: [7985, 5242, 5243, 4244],
  udpPorts: [7985, 7987, 5242, 5243, 4244],
  budget: 2,
  weak: true,
  // short: the little-endian length equals the message's 12-15 bytes (UDP: any first byte, the connection tag).
  tcpFirstPacket: { minLen: 12, bytes: [[6, [0xfc]], [7, [0xff]], [9, [0x80]]], short: [[0x0c, 0x0f]] },
  udpFirstPacket: { bytes: [[2, [0x01, 0x03, 0x09, 0x19, 0x1b]], [3, [0]]] },
  fields: [],
  doc: 'Viber: UDP relay messages (connection tag, little-endian message types 1/3/9/0x19/0x1b with their sizes) and TCP chat messages (length, 0xFCFF marker).',
  dissect(ctx: DissectContext): Verdict {
    const ok = ctx.l4 === 17 ? udpMessage(ctx.buf, ctx.off, ctx.len) : ctx.dirIndex === 0 && tcpMessage(ctx.buf, ctx.off, ctx.len);
    if (ok) {
      ctx.detect(P.Viber);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
