/**
 * Discord voice over UDP (Discord developer documentation, "Voice
 * Connections: IP Discovery"):
 *  - IP discovery: 74-byte packets, type 0x0001 (request) or 0x0002
 *    (response), length 70, the 32-bit SSRC, a 64-byte NUL-padded address
 *    (empty in requests, the client's public address as text in responses)
 *    and a 16-bit port;
 *  - the clients' 8-byte keep-alive datagrams starting with 0x1337CAFE, two
 *    of them in a flow (a flow caught after the discovery).
 * Ignores: the encrypted RTP media that follows.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

function ipDiscovery(buf: Buffer, off: number, len: number): boolean {
  if (len !== 74) return false;
  const type = be16(buf, off);
  if ((type !== 1 && type !== 2) || be16(buf, off + 2) !== 70) return false;
  // The address field: printable text (possibly empty) then NUL padding.
  let p = off + 8;
  const end = off + 72;
  while (p < end && buf[p] !== 0) {
    const c = buf[p];
    if (c < 0x21 || c > 0x7e) return false;
    p++;
  }
  while (p < end) if (buf[p++] !== 0) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.Discord,
  on: On.Udp,
  budget: 6,
  fields: [],
  doc: 'Discord voice: IP discovery request/response (74 bytes, type 1/2, length 70) and 0x1337CAFE keep-alives.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    if (ipDiscovery(buf, off, len)) {
      ctx.detect(P.Discord);
      return Verdict.Done;
    }
    if (len === 8 && be32(buf, off) === 0x1337cafe) {
      if (ctx.state === true) {
        ctx.detect(P.Discord);
        return Verdict.Done;
      }
      ctx.state = true;
      return Verdict.Continue;
    }
    return ctx.state === true || ctx.flowIndex < 3 ? Verdict.Continue : Verdict.Exclude;
  },
};
