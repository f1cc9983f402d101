/**
 * RTMP (Adobe's Real-Time Messaging Protocol specification 1.0, section 5.2
 * "Handshake"): the client opens with C0, the one-byte protocol version
 * (3 plain; 6, 8 or 9 for the encrypted RTMPE variants), then C1, 1536 bytes
 * (time, zero or Flash version, random data); the server answers with S0
 * (its version) and S1 (1536 bytes). Recognised when both directions'
 * streams start with a known version byte and carry at least the 1537 bytes
 * of C0+C1 / S0+S1.
 * A client stream that is a TPKT header instead (03 00 and a plausible
 * length, as RDP and ISO-TSAP start) is left alone.
 * Ignores: the chunk stream after the handshake.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, Dir, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const HANDSHAKE = 1 + 1536;

function knownVersion(v: number): boolean {
  return v === 3 || v === 6 || v === 8 || v === 9;
}

interface RtmpState {
  done: [boolean, boolean];
}

export const dissector: Dissector = {
  id: P.RTMP,
  on: On.Tcp,
  tcpPorts: [1935],
  budget: 12,
  tcpFirstBytes: [0x03, 0x06, 0x08, 0x09], // C0/S0 version
  tcpFirstPacket: { short: [0x03, 0x06, 0x08, 0x09] }, // Continue until the 1537 bytes
  stream: true,
  fields: [],
  doc: 'RTMP handshake: version byte (3, or 6/8/9 for RTMPE) and 1536-byte C1/S1 in both directions (RTMP specification 5.2).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 1 || !knownVersion(b[o])) return Verdict.Exclude;
    if (n >= 4 && b[o] === 3 && b[o + 1] === 0 && ctx.dir === Dir.C2S) {
      const tpkt = be16(b, o + 2);
      if (tpkt >= 7 && tpkt <= n && tpkt < HANDSHAKE) return Verdict.Exclude;
    }
    let st = ctx.state as RtmpState | undefined;
    if (n < HANDSHAKE) return Verdict.Continue;
    if (st === undefined) {
      st = { done: [false, false] };
      ctx.state = st;
    }
    st.done[ctx.dir] = true;
    return st.done[0] && st.done[1] ? Verdict.Done : Verdict.Continue;
  },
};
