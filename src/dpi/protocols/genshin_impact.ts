/**
 * Genshin Impact (HoYoverse). UDP game sessions run a KCP transport that
 * opens with a 20-byte handshake: the client sends control word 0x000000FF,
 * zero, a token, the constant 0x499602D2 (1234567890) and 0xFFFFFFFF; the
 * server answers 0x00000145, conversation id, the token, 0x499602D2 and
 * 0x14514545 (disconnects use 0x00000194 ... 0x19419494). Recognised from
 * either handshake datagram.
 * TCP sessions use a length-prefixed framing: type byte 0x01, total frame
 * length (4 bytes big-endian), command byte, sequence (4), an 8-byte
 * session id; recognised when the first frames of both directions are
 * self-consistent, the reply's command is the request's plus one and both
 * carry the same session id.
 * Ignores: the encrypted game payload.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, Dir, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const HANDSHAKE_MAGIC = 0x499602d2;

function isKcpHandshake(b: Buffer, o: number, n: number): boolean {
  if (n !== 20 || be32(b, o + 12) !== HANDSHAKE_MAGIC) return false;
  const head = be32(b, o);
  const tail = be32(b, o + 16);
  return (head === 0xff && tail === 0xffffffff) || (head === 0x145 && tail === 0x14514545) || (head === 0x194 && tail === 0x19419494);
}

/** TCP frame header check; returns the command byte or -1. */
function tcpFrame(b: Buffer, o: number, n: number): number {
  if (n < 18 || b[o] !== 0x01 || be32(b, o + 1) !== n) return -1;
  return b[o + 5];
}

interface TcpState {
  cmd: number;
  session: Buffer;
}

export const dissector: Dissector = {
  id: P.GenshinImpact,
  on: On.TcpUdp,
  udpPorts: [22102],
  budget: 4,
  tcpFirstBytes: [0x01], // frame type
  udpFirstBytes: [0x00], // KCP control word 0x000000FF/0x145/0x194
  tcpFirstPacket: { short: [] }, // a frame header is 18 bytes
  udpFirstPacket: { short: [] }, // the handshake is 20 bytes
  fields: [],
  doc: 'Genshin Impact: KCP handshake datagrams (0xFF/0x145 with 0x499602D2) on UDP; length-prefixed request/reply frames with a shared session id on TCP.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.l4 === 17) return isKcpHandshake(b, o, n) ? Verdict.Done : Verdict.Exclude;
    const cmd = tcpFrame(b, o, n);
    if (cmd < 0) return Verdict.Exclude;
    const st = ctx.state as TcpState | undefined;
    if (st === undefined) {
      if (ctx.dir !== Dir.C2S) return Verdict.Exclude;
      ctx.state = { cmd, session: Buffer.from(b.subarray(o + 10, o + 18)) };
      return Verdict.Continue;
    }
    if (ctx.dir === Dir.C2S) return Verdict.Continue;
    return cmd === st.cmd + 1 && st.session.equals(b.subarray(o + 10, o + 18)) ? Verdict.Done : Verdict.Exclude;
  },
};
