/**
 * Kismet client/server protocol (Kismet's "old" text protocol on TCP 2501):
 * line-oriented text where the server's lines start with "*" and a
 * capability name, the first being the banner "*KISMET: <version> ...", and
 * the client's commands are "!<id> <COMMAND> ..." (ENABLE, REMOVE, ...).
 * Recognised from the server banner; a client that speaks first with a
 * "!<digits> " command is given a few more packets to see the banner.
 * Ignores: the sentence contents (networks, clients, GPS).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, Dir, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const BANNER = ascii('*KISMET: ');

function isCommand(b: Buffer, o: number, n: number): boolean {
  if (n < 4 || b[o] !== 0x21) return false;
  let p = o + 1;
  const end = o + n;
  while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
  return p > o + 1 && p < end && b[p] === 0x20;
}

export const dissector: Dissector = {
  id: P.Kismet,
  on: On.Tcp,
  budget: 4,
  tcpFirstBytes: [0x21, 0x2a], // '!' client command, '*'KISMET banner
  tcpFirstPacket: { short: [0x21, 0x2a] },
  fields: [],
  doc: 'Kismet client/server protocol: the "*KISMET: " server banner (after optional "!<id> COMMAND" client lines).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (startsWith(b, o, o + ctx.len, BANNER)) return Verdict.Done;
    if (ctx.state === undefined && ctx.flowIndex === 0 && ctx.dir === Dir.C2S && isCommand(b, o, ctx.len)) {
      ctx.state = true;
      return Verdict.Continue;
    }
    if (ctx.state !== true || (ctx.dir === Dir.S2C && ctx.dirIndex === 0)) return Verdict.Exclude;
    return Verdict.Continue;
  },
};
