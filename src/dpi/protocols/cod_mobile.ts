/**
 * Call of Duty: Mobile (UDP). Two patterns of its game transport are
 * recognised:
 *  - the 12-byte latency probe: an 8-byte token followed by ASCII "ping",
 *    echoed unchanged by the server;
 *  - large (> 350 bytes) game datagrams starting 0xCE that carry the
 *    loadout names in clear ("LOC_PREFAB_LOADOUTNAME_1").
 * Ignores: the rest of the (compressed) game traffic.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf, startsWith } from '../bytes';

const PING = ascii('ping');
const LOADOUT = ascii('LOC_PREFAB_LOADOUTNAME_1');

interface ProbeState {
  probe: Buffer;
  dir: number;
}

function isProbe(b: Buffer, o: number, n: number): boolean {
  return n === 12 && startsWith(b, o + 8, o + 12, PING);
}

export const dissector: Dissector = {
  id: P.CoD_Mobile,
  on: On.Udp,
  budget: 4,
  fields: [],
  doc: 'Call of Duty: Mobile: the 12-byte "ping" latency probe echoed by the server, or 0xCE game datagrams naming loadouts.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n > 350 && b[o] === 0xce && indexOf(b, o, o + n, LOADOUT) >= 0) return Verdict.Done;
    if (!isProbe(b, o, n)) return Verdict.Continue;
    const st = ctx.state as ProbeState | undefined;
    if (st === undefined) {
      ctx.state = { probe: Buffer.from(b.subarray(o, o + n)), dir: ctx.dir };
      return Verdict.Continue;
    }
    return st.dir !== ctx.dir && st.probe.equals(b.subarray(o, o + n)) ? Verdict.Done : Verdict.Continue;
  },
};
