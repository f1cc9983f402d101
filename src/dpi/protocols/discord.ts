/**
 * Discord voice over UDP (Discord developer documentation, "Voice
 * Connections: IP Discovery"):
 *  - IP discovery: 74-byte packets, type 0x0001 (request) or 0x0002
 *    (response), length 70, the 32-bit SSRC, a 64-byte NUL-padded address
 *    (empty in requests, the client's public address as text in responses)
 *    and a 16-bit port. A response identifies the flow (after a request, it
 *    must carry the request's SSRC); a request alone does not;
 *  - the clients' 8-byte keep-alive datagrams starting with 0x1337CAFE, two
 *    of them in a flow (a flow caught after the discovery).
 * Ignores: the encrypted RTP media that follows.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

/** IP discovery packet: 1 request, 2 response, 0 neither. */
function ipDiscovery(buf: Buffer, off: number, len: number): number {
  if (len !== 74) return 0;
  const type = be16(buf, off);
  if ((type !== 1 && type !== 2) || be16(buf, off + 2) !== 70) return 0;
  // The address field: printable text (empty in a request) then NUL padding.
  let p = off + 8;
  const end = off + 72;
  while (p < end && buf[p] !== 0) {
    const c = buf[p];
    if (c < 0x21 || c > 0x7e) return 0;
    p++;
  }
  if ((type === 1) !== (p === off + 8)) return 0;
  while (p < end) if (buf[p++] !== 0) return 0;
  return type;
}

interface DiscordState {
  /** SSRC of the discovery request (-1 none), keep-alives seen. */
  ssrc: number;
  keepalives: number;
}

export const dissector: Dissector = {
  id: P.Discord,
  on: On.Udp,
  budget: 6,
  fields: [],
  doc: 'Discord voice: IP discovery response (74 bytes, type 2, length 70, the request\'s SSRC) and 0x1337CAFE keep-alives.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    let st = ctx.state as DiscordState | undefined;
    const kind = ipDiscovery(buf, off, len);
    if (kind === 2 && (st === undefined || st.ssrc < 0 || st.ssrc === be32(buf, off + 4))) {
      ctx.detect(P.Discord);
      return Verdict.Done;
    }
    if (kind === 1 || (len === 8 && be32(buf, off) === 0x1337cafe)) {
      if (st === undefined) {
        st = { ssrc: -1, keepalives: 0 };
        ctx.state = st;
      }
      if (kind === 1) {
        st.ssrc = be32(buf, off + 4);
        return Verdict.Continue;
      }
      if (++st.keepalives >= 2) {
        ctx.detect(P.Discord);
        return Verdict.Done;
      }
      return Verdict.Continue;
    }
    return st !== undefined || ctx.flowIndex < 3 ? Verdict.Continue : Verdict.Exclude;
  },
};
