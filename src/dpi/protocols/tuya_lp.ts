/**
 * Tuya local protocol (LP), spoken by Tuya-based smart home devices on the
 * LAN (UDP discovery broadcasts on 6666/6667, TCP control on 6668). Frame
 * layouts as the Tuya IoT OS SDK (lan_protocol.h) and tinytuya document:
 *  - 3.1-3.4: prefix 0x000055AA, sequence (4), command (4), length (4) =
 *    bytes after the 16-byte header (payload, CRC/HMAC, suffix), suffix
 *    0x0000AA55;
 *  - 3.5: prefix 0x00006699, unknown (2), sequence (4), command (4),
 *    length (4) = bytes between the 18-byte header and the 4-byte suffix
 *    0x00009966.
 * Recognised from prefix, a length that ends the frame inside the payload
 * and the matching suffix there.
 * Ignores: the (AES-encrypted) payload.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

function isFrame(b: Buffer, o: number, n: number): boolean {
  if (n < 24) return false;
  const prefix = be32(b, o);
  if (prefix === 0x000055aa) {
    const len = be32(b, o + 12);
    if (len < 8 || len > n - 16) return false;
    return be32(b, o + 16 + len - 4) === 0x0000aa55;
  }
  if (prefix === 0x00006699) {
    const len = be32(b, o + 14);
    if (len < 28 || len > n - 22) return false;
    return be32(b, o + 18 + len) === 0x00009966;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.TuyaLP,
  on: On.TcpUdp,
  udpPorts: [6667],
  budget: 2,
  tcpFirstBytes: [0x00], // prefix 0x000055AA / 0x00006699
  udpFirstBytes: [0x00],
  tcpFirstPacket: { minLen: 24, bytes: [[1, [0]], [2, [0x55, 0x66]], [3, [0xaa, 0x99]]], short: [] },
  udpFirstPacket: { minLen: 24, bytes: [[1, [0]], [2, [0x55, 0x66]], [3, [0xaa, 0x99]]], short: [] },
  fields: [],
  doc: 'Tuya local protocol: 0x000055AA ... 0x0000AA55 (3.1-3.4) and 0x00006699 ... 0x00009966 (3.5) frames with consistent length (Tuya SDK lan_protocol.h).',
  dissect(ctx: DissectContext): Verdict {
    return isFrame(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
