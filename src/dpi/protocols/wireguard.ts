/**
 * WireGuard (the WireGuard whitepaper, section 5.4; wireguard.com/protocol):
 * one message type byte (1 handshake initiation, 2 handshake response,
 * 3 cookie reply, 4 transport data), three reserved zero bytes, then:
 *  - initiation: exactly 148 bytes, the sender index;
 *  - response: exactly 92 bytes, sender index and receiver index (the
 *    initiator's sender index);
 *  - cookie reply: exactly 64 bytes, receiver index (the initiator's sender
 *    index);
 *  - transport data: at least 32 bytes, a multiple of 16, receiver index and
 *    a 64-bit little-endian counter.
 * The flow is WireGuard when an initiation is answered by a response or a
 * cookie reply naming its sender index, or when transport data packets of
 * one direction keep their receiver index with counters moving forward.
 * Ignores: the encrypted contents, the MAC fields.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

interface WgState {
  /** Initiation seen: its sender index and direction. */
  initSender: number;
  initDir: Dir;
  haveInit: boolean;
  /** Transport data: receiver index and counter (low 32 bits) of the last packet, per direction. */
  rx: [number, number];
  ctr: [number, number];
  haveData: [boolean, boolean];
}

function newState(dir: Dir): WgState {
  return { initSender: 0, initDir: dir, haveInit: false, rx: [0, 0], ctr: [0, 0], haveData: [false, false] };
}

export const dissector: Dissector = {
  id: P.WireGuard,
  on: On.Udp,
  udpPorts: [51820],
  budget: 6,
  udpFirstBytes: [0x01, 0x04], // handshake initiation, transport data (responses/cookie replies need an earlier initiation)
  udpFirstPacket: { short: [] }, // every message is at least 32 bytes
  fields: [],
  doc: 'WireGuard: handshake initiation (148 bytes) answered by a response (92) or cookie reply (64) with matching indices, or transport data with one receiver index and growing counters.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const len = ctx.len;
    let st = ctx.state as WgState | undefined;
    const type = b[o];
    const ok = len >= 32 && type >= 1 && type <= 4 && b[o + 1] === 0 && b[o + 2] === 0 && b[o + 3] === 0;
    if (!ok) return st === undefined ? Verdict.Exclude : Verdict.Continue;
    const d = ctx.dir;
    switch (type) {
      case 1:
        if (len !== 148) break;
        if (st === undefined) st = ctx.state = newState(d) as WgState;
        st.haveInit = true;
        st.initSender = le32(b, o + 4);
        st.initDir = d;
        return Verdict.Continue;
      case 2:
      case 3: {
        if (len !== (type === 2 ? 92 : 64) || st === undefined || !st.haveInit || d === st.initDir) break;
        const receiver = le32(b, o + (type === 2 ? 8 : 4));
        if (receiver === st.initSender) {
          ctx.detect(P.WireGuard);
          return Verdict.Done;
        }
        break;
      }
      default: {
        if ((len & 15) !== 0) break;
        if (st === undefined) st = ctx.state = newState(d) as WgState;
        const rx = le32(b, o + 4);
        const ctr = le32(b, o + 8);
        const hi = le32(b, o + 12);
        if (hi !== 0) break;
        if (st.haveData[d] && st.rx[d] === rx) {
          const step = (ctr - st.ctr[d]) >>> 0;
          if (step >= 1 && step <= 64) {
            ctx.detect(P.WireGuard);
            return Verdict.Done;
          }
        }
        st.haveData[d] = true;
        st.rx[d] = rx;
        st.ctr[d] = ctr;
        return Verdict.Continue;
      }
    }
    return st === undefined ? Verdict.Exclude : Verdict.Continue;
  },
};
