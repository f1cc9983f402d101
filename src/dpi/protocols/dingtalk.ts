/**
 * DingTalk (Alibaba): the DingTalk client's long-lived connection (TCP 443)
 * does not start with TLS but with DingTalk's own handshake frame: byte
 * 0x10, a length byte, then the fixed header 87 80 01 00 01 00 02 00 02
 * 64 6b ("dk") 03 and the 16-bit key length 0x0020, followed by the key and
 * the client's user agent (e.g. "android/3.0.28-dingtalk..."). Recognised
 * from that header in a segment of more than 90 bytes.
 * Ignores: the encrypted frames after the handshake.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.DingTalk,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x10], // handshake frame
  tcpFirstPacket: { short: [] }, // more than 90 bytes
  fields: [],
  doc: 'DingTalk: the client handshake frame 0x10, length, 87 80 01 00 01 00 02 00 02 "dk" 03, key length 0x0020.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len <= 90 || b[o] !== 0x10) return Verdict.Exclude;
    if (be32(b, o + 2) !== 0x87800100 || be32(b, o + 6) !== 0x01000200 || be32(b, o + 10) !== 0x02646b03 || be16(b, o + 14) !== 0x0020) {
      return Verdict.Exclude;
    }
    return Verdict.Done;
  },
};
