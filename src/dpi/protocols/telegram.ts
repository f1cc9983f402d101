/**
 * Telegram MTProto over TCP, unobfuscated transports (core.telegram.org
 * "MTProto transports"). The client announces the transport with its first
 * bytes and then sends the first message, which on a new connection is
 * unencrypted (req_pq_multi): auth_key_id 0 (8 bytes), message id (8),
 * length (4, little-endian) and the TL body.
 *  - abridged: 0xef, then each packet is a length byte (in 4-byte words,
 *    below 0x7f) and the payload;
 *  - intermediate / padded intermediate: 0xeeeeeeee / 0xdddddddd, then each
 *    packet is a 32-bit little-endian length and the payload.
 * Recognised when the first segment is the transport tag followed by one
 * packet whose length fills the segment and that carries an unencrypted
 * message (zero auth_key_id, message length within the packet).
 * Ignores: the obfuscated transport (random 64-byte init, only
 * recognisable by Telegram's addresses) and encrypted messages.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32, le32 } from '../bytes';

/** An unencrypted MTProto message fills buf[p, end): zero auth_key_id, then msg id and body length. */
function plainMessage(b: Buffer, p: number, end: number): boolean {
  if (end - p < 20 + 4) return false;
  for (let i = 0; i < 8; i++) if (b[p + i] !== 0) return false;
  const bodyLen = le32(b, p + 16);
  return bodyLen >= 4 && 20 + bodyLen <= end - p && 20 + bodyLen + 16 > end - p;
}

function isMtproto(b: Buffer, o: number, n: number): boolean {
  const end = o + n;
  if (n >= 2 && b[o] === 0xef) {
    const words = b[o + 1];
    return words > 0 && words < 0x7f && 2 + 4 * words === n && plainMessage(b, o + 2, end);
  }
  if (n >= 8) {
    const tag = be32(b, o);
    if (tag === 0xeeeeeeee || tag === 0xdddddddd) return le32(b, o + 4) === n - 8 && plainMessage(b, o + 8, end);
  }
  return false;
}

export const dissector: Dissector = {
  id: P.Telegram,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0xdd, 0xee, 0xef], // padded intermediate, intermediate, abridged transport tags
  tcpFirstPacket: { short: [] }, // tag, length and a 24-byte message
  fields: [],
  doc: 'Telegram MTProto: abridged (0xef) or intermediate (0xeeeeeeee/0xdddddddd) transport tag with an unencrypted first message.',
  dissect(ctx: DissectContext): Verdict {
    return isMtproto(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
