/**
 * Among Us (Innersloth), over the Hazel UDP networking library: a client
 * opens a session with a Hazel Hello packet: send option 0x08 (Hello),
 * 16-bit nonce, Hazel version byte (0 or 1), then the game's handshake: the
 * client version as int32 little-endian (year*25000 + month*1800 + day*50 +
 * revision) and the player name as a length-prefixed (packed integer)
 * UTF-8 string, followed by newer clients' extra fields. Recognised from
 * that layout with a plausible version (2018-2100) and a printable name that
 * fits the datagram.
 * Ignores: the reliable/unreliable game messages after the Hello.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

const HELLO = 0x08;
const MIN_VERSION = 2018 * 25000;
const MAX_VERSION = 2100 * 25000;

function isHello(b: Buffer, o: number, n: number): boolean {
  if (n < 10 || b[o] !== HELLO || b[o + 3] > 1) return false;
  const version = le32(b, o + 4);
  if (version < MIN_VERSION || version >= MAX_VERSION) return false;
  const nameLen = b[o + 8];
  if (nameLen === 0 || nameLen > 0x7f || 9 + nameLen > n) return false;
  for (let i = 0; i < nameLen; i++) {
    const c = b[o + 9 + i];
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

export const dissector: Dissector = {
  id: P.AmongUs,
  on: On.Udp,
  udpPorts: [22023],
  budget: 2,
  udpFirstBytes: [0x08], // Hazel Hello
  udpFirstPacket: { short: [0x08] }, // a 10-15 byte Hello fits
  fields: [],
  doc: 'Among Us: the Hazel Hello packet (0x08, nonce, Hazel version) with a plausible client version and player name.',
  dissect(ctx: DissectContext): Verdict {
    return isHello(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
