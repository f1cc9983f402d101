/**
 * Activision (Call of Duty peer/server sessions, UDP 3074 among others): the
 * session opens with a connection request whose first two bytes are 0x0d02
 * or 0x0c02 and which the peer echoes back byte for byte except for the
 * other magic (0x0c02 <-> 0x0d02); the body carries the sender's local
 * address. Recognised from a request of at least 18 bytes and its echo in
 * the other direction.
 * Ignores: the 0x28/0x29 data packets that follow.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

interface ActivisionState {
  magic: number;
  dir: number;
  body: Buffer;
}

export const dissector: Dissector = {
  id: P.Activision,
  on: On.Udp,
  budget: 4,
  udpFirstBytes: [0x0c, 0x0d], // magic 0x0c02 / 0x0d02
  udpFirstPacket: { short: [] }, // the connection request is at least 18 bytes
  fields: [],
  doc: 'Activision (Call of Duty): 0x0c02/0x0d02 connection request echoed by the peer with the other magic.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const magic = n >= 18 ? be16(b, o) : 0;
    const st = ctx.state as ActivisionState | undefined;
    if (st === undefined) {
      if (magic !== 0x0c02 && magic !== 0x0d02) return Verdict.Exclude;
      ctx.state = { magic, dir: ctx.dir, body: Buffer.from(b.subarray(o + 2, o + n)) };
      return Verdict.Continue;
    }
    if (ctx.dir === st.dir) return Verdict.Continue;
    if (magic === (st.magic ^ 0x0100) && st.body.equals(b.subarray(o + 2, o + n))) return Verdict.Done;
    return Verdict.Exclude;
  },
};
