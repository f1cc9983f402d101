/**
 * Epic Games (Unreal Engine dedicated servers, e.g. Fortnite): the stateless
 * connect handshake of Unreal's StatelessConnectHandlerComponent. The
 * client's initial handshake packet has the handshake-response bit (0x08 of
 * the first 32-bit word) clear and an all-zero timestamp and cookie (bytes
 * 10-33); the server's challenge answers in the other direction with the
 * same first word plus that bit. Recognised from such a request followed by
 * the matching challenge.
 * Ignores: the bit-packed game packets after the handshake.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const RESPONSE_BIT = 0x08;
const ZERO_FROM = 10;
const ZERO_TO = 34;

interface EpicState {
  word: number;
  dir: number;
}

function isInitial(b: Buffer, o: number, n: number): boolean {
  if (n < ZERO_TO || (be32(b, o) & RESPONSE_BIT) !== 0) return false;
  for (let i = ZERO_FROM; i < ZERO_TO; i++) if (b[o + i] !== 0) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.EpicGames,
  on: On.Udp,
  budget: 4,
  udpFirstPacket: { minLen: ZERO_TO, bytes: [[10, [0]], [11, [0]], [12, [0]], [13, [0]], [14, [0]], [15, [0]]], short: [] },
  fields: [],
  doc: 'Epic Games / Unreal Engine: stateless connect handshake (zero cookie request, challenge with the response bit set and the same first word).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const st = ctx.state as EpicState | undefined;
    if (st === undefined) {
      if (ctx.flowIndex !== 0 || !isInitial(b, o, ctx.len)) return Verdict.Exclude;
      ctx.state = { word: be32(b, o), dir: ctx.dir };
      return Verdict.Continue;
    }
    if (ctx.dir === st.dir) return Verdict.Continue;
    if (ctx.len > 4 && be32(b, o) === ((st.word | RESPONSE_BIT) >>> 0)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
