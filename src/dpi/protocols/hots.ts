/**
 * Heroes of the Storm (Blizzard) game traffic on Blizzard's documented game
 * ports (UDP 1119, 1120, 3724, 6113; Blizzard support "Ports for Blizzard
 * games"). The game's UDP datagrams (20-122 bytes) carry a 16-bit word
 * 0x4000 (0x4010 for retransmissions) at offset 14, preceded either by a
 * 14-byte all-zero connection header (server packets before the session is
 * keyed) or by a 2-byte tag and the constant 0x0300/0x3400 at offset 2.
 * Recognised from that layout on those ports only: the layout alone is too
 * short a signature to be safe elsewhere, which is why this dissector is a
 * weak one.
 * Ignores: the encrypted game state.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const GAME_PORTS = [1119, 1120, 3724, 6113];

function onGamePort(ctx: DissectContext): boolean {
  return GAME_PORTS.includes(ctx.serverPort) || GAME_PORTS.includes(ctx.clientPort);
}

function isGamePacket(b: Buffer, o: number, n: number): boolean {
  if (n < 20 || n > 122 || b[o + 14] !== 0x40 || (b[o + 15] !== 0x00 && b[o + 15] !== 0x10)) return false;
  if ((b[o + 2] === 0x03 || b[o + 2] === 0x34) && b[o + 3] === 0x00) return true;
  for (let i = 0; i < 14; i++) if (b[o + i] !== 0) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.Heroes_of_the_Storm,
  on: On.Udp,
  budget: 2,
  weak: true,
  udpFirstPacket: { minLen: 20, maxLen: 122, bytes: [[2, [0, 0x03, 0x34]], [3, [0]], [14, [0x40]], [15, [0, 0x10]]], short: [] },
  fields: [],
  doc: 'Heroes of the Storm: game datagrams with 0x4000 at offset 14 after a zero or 0x0300/0x3400 header, on Blizzard\'s game ports.',
  dissect(ctx: DissectContext): Verdict {
    if (!onGamePort(ctx)) return Verdict.Exclude;
    return isGamePacket(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
