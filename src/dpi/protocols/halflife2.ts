/**
 * Half-Life 2 (Source engine) connection handshake: connectionless packets
 * (32-bit header 0xFFFFFFFF) whose body ends with the zero-padding string
 * "...000\0" that Source clients and servers append to their challenge
 * exchange (at least 20 bytes). Recognised when such a packet is answered
 * by another one in the other direction.
 * Ignores: A2S server queries (Source_Engine) and the netchannel traffic.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const TAIL = 0x30303000; // "000\0"

function isHandshake(b: Buffer, o: number, n: number): boolean {
  return n >= 20 && be32(b, o) === 0xffffffff && be32(b, o + n - 4) === TAIL;
}

export const dissector: Dissector = {
  id: P.HalfLife2,
  on: On.Udp,
  budget: 4,
  udpFirstBytes: [0xff], // connectionless header 0xFFFFFFFF
  udpFirstPacket: { short: [] }, // 20 bytes at least
  fields: [],
  doc: 'Half-Life 2 / Source connection handshake: 0xFFFFFFFF connectionless packets ending in "000\\0", answered in the other direction.',
  dissect(ctx: DissectContext): Verdict {
    if (!isHandshake(ctx.buf, ctx.off, ctx.len)) return Verdict.Exclude;
    const seen = ctx.state as number | undefined;
    if (seen === undefined) {
      ctx.state = ctx.dir;
      return Verdict.Continue;
    }
    return seen !== ctx.dir ? Verdict.Done : Verdict.Continue;
  },
};
