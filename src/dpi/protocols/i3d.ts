/**
 * i3D.net-hosted game servers (the voice/game sessions nDPI attributes to
 * i3D). Their sessions open with the Discord-style IP discovery exchange
 * (Discord developer documentation, "Voice Connections: IP Discovery"):
 * 74-byte datagrams of type 0x0001 (request) or 0x0002 (response), length
 * 70, a 32-bit SSRC, a 64-byte NUL-padded address (empty in requests, the
 * client's address as dotted text in responses) and a 16-bit port; i3D's
 * servers use the SSRC 0x0003CFA8. The media that follows is RTP with a
 * one-byte-header extension (0xBEDE, 3 words) and SSRC 0x0003CFA9.
 * Recognised from the discovery exchange with that SSRC, or from such an
 * RTP packet. The discovery layout alone is Discord's; the SSRC is what
 * tells i3D apart.
 * Ignores: the media payload.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const SIZE = 74;
const DISCOVERY_SSRC = 0x0003cfa8;
const MEDIA_SSRC = 0x0003cfa9;
const ADDRESS = 8;
const ADDRESS_END = 72;

function isDiscovery(b: Buffer, o: number, n: number): boolean {
  if (n !== SIZE || be16(b, o + 2) !== n - 4 || be32(b, o + 4) !== DISCOVERY_SSRC) return false;
  const type = be16(b, o);
  if (type !== 1 && type !== 2) return false;
  let p = o + ADDRESS;
  while (p < o + ADDRESS_END && b[p] !== 0) {
    const c = b[p];
    if (type === 1 || c < 0x21 || c > 0x7e) return false;
    p++;
  }
  for (; p < o + ADDRESS_END; p++) if (b[p] !== 0) return false;
  return true;
}

function isMedia(b: Buffer, o: number, n: number): boolean {
  // RTP v2 with the extension bit, SSRC, then the RFC 8285 one-byte header extension of 3 words.
  return n >= SIZE && b[o] === 0x90 && be32(b, o + 8) === MEDIA_SSRC && be32(b, o + 12) === 0xbede0003;
}

export const dissector: Dissector = {
  id: P.i3D,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0x00, 0x90], // discovery type 0x0001/0x0002, RTP v2 with extension
  udpFirstPacket: { short: [] }, // discovery is 74 bytes, media at least 74
  fields: [],
  doc: 'i3D.net game servers: IP discovery (type 1/2, length 70) with SSRC 0x0003CFA8, or RTP media with SSRC 0x0003CFA9 and a 0xBEDE extension.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    return isDiscovery(b, o, ctx.len) || isMedia(b, o, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
