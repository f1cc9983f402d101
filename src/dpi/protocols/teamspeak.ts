/**
 * TeamSpeak:
 *  - TeamSpeak 3 voice over UDP: the client's first packets are the
 *    connection init "TS3INIT1" (followed by its packet id and flags);
 *  - TeamSpeak 2 over TCP: the login packets start with 0xF4 0xBE and a
 *    small command (0x01-0x03) then 0x00 (soliloque-server wiki,
 *    "Connection packet");
 *  - TeamSpeak 3 server list/accounting exchange over UDP (ports 2010/2011):
 *    a 4-byte client hello 0x01 0x80 <id>, echoed by the server with a 4-byte
 *    cookie appended, and repeated by the client with that cookie.
 * Ignores: the encrypted voice and command packets after the init.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const TS3INIT1 = ascii('TS3INIT1');

interface TsState {
  hello: number;
  cookie: number;
  stage: number;
}

export const dissector: Dissector = {
  id: P.TeamSpeak,
  on: On.TcpUdp,
  budget: 3,
  tcpFirstBytes: [0xf4], // TeamSpeak 2 login 0xF4BE
  udpFirstBytes: [0x54], // 'T'S3INIT1 (the 0x01 0x80 server-list hello is 4 bytes)
  tcpFirstPacket: { short: [] }, // the login packet is at least 20 bytes
  udpFirstPacket: { short: [0x01] }, // the 4-byte 0x01 0x80 hello
  fields: [],
  doc: 'TeamSpeak: TS3INIT1 connection init (UDP), TeamSpeak 2 login packets 0xF4BE (TCP), TS3 server list hello/cookie exchange.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const len = ctx.len;
    if (ctx.l4 === 6) {
      if (ctx.dirIndex === 0 && len >= 20 && b[o] === 0xf4 && b[o + 1] === 0xbe && b[o + 2] >= 1 && b[o + 2] <= 3 && b[o + 3] === 0) {
        ctx.detect(P.TeamSpeak);
        return Verdict.Done;
      }
      return Verdict.Exclude;
    }
    if (len >= 20 && startsWith(b, o, o + len, TS3INIT1)) {
      ctx.detect(P.TeamSpeak);
      return Verdict.Done;
    }
    const st = ctx.state as TsState | undefined;
    if (st === undefined) {
      if (ctx.flowIndex === 0 && ctx.dir === Dir.C2S && len === 4 && b[o] === 0x01 && b[o + 1] === 0x80) {
        ctx.state = { hello: b.readUInt32BE(o), cookie: 0, stage: 1 } satisfies TsState;
        return Verdict.Continue;
      }
      return Verdict.Exclude;
    }
    if (st.stage === 1 && ctx.dir === Dir.S2C && len === 8 && b.readUInt32BE(o) === st.hello) {
      st.cookie = b.readUInt32BE(o + 4);
      st.stage = 2;
      return Verdict.Continue;
    }
    if (st.stage === 2 && ctx.dir === Dir.C2S && len >= 12 && b[o] === 0x01 && b.readUInt32BE(o + 4) === st.cookie) {
      ctx.detect(P.TeamSpeak);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
