/**
 * UltraSurf (censorship circumvention proxy): its TCP tunnel opens with a
 * fixed 8-byte preamble, cc 1c 30 41 5b a4 38 66, before the obfuscated
 * stream. Recognised from that preamble at the start of a direction.
 * Ignores: the obfuscated tunnel contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.UltraSurf,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0xcc], // preamble cc1c3041...
  tcpFirstPacket: { short: [0xcc] }, // the 8-byte preamble
  fields: [],
  doc: 'UltraSurf tunnel: the fixed 8-byte preamble cc1c3041 5ba43866.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 8 || be32(b, o) !== 0xcc1c3041 || be32(b, o + 4) !== 0x5ba43866) return Verdict.Exclude;
    return Verdict.Done;
  },
};
