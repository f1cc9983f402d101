/**
 * Radmin (Famatech Remote Administrator; proprietary, framing as observed in
 * traffic and used by nDPI): messages start with the bytes 01 00 00 00 and a
 * message code. The handshake is the client's 10-byte hello (code 1,
 * ending 0x08 0x08) answered by the server's 46-byte message (code 0x25,
 * 0x02120802 at offset 7, 0x0A at offset 13); sessions seen later exchange
 * 14-byte keep-alives (code 5, 0x2727 at offset 8), two of which identify
 * the flow. Raises Desktop/File Sharing.
 * Ignores: the encrypted session.
 */
import { P, Risk } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.Radmin,
  on: On.Tcp,
  tcpPorts: [4899],
  budget: 4,
  tcpFirstBytes: [0x01], // 01 00 00 00
  tcpFirstPacket: { short: [0x01] }, // the 10-byte hello, 14-byte keep-alives
  fields: [],
  doc: 'Radmin handshake (10-byte client hello, 46-byte server answer) or two 14-byte keep-alives. Raises Desktop/File Sharing.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 10 || be32(b, o) !== 0x01000000) return Verdict.Exclude;
    const code = b[o + 4];
    let found = false;
    if (n === 10 && code === 1 && b[o + 8] === 8 && b[o + 9] === 8 && ctx.dir === Dir.C2S && ctx.state === undefined) {
      ctx.state = 1;
      return Verdict.Continue;
    }
    if (n === 46 && code === 0x25 && ctx.dir === Dir.S2C && ctx.state === 1 && be32(b, o + 7) === 0x02120802 && b[o + 13] === 0x0a) found = true;
    else if (n === 14 && code === 5 && be16(b, o + 8) === 0x2727) {
      if (ctx.state !== 2) {
        ctx.state = 2;
        return Verdict.Continue;
      }
      found = true;
    }
    if (!found) return Verdict.Exclude;
    ctx.risk(Risk.Desktop_File_Sharing, 'Found Radmin');
    return Verdict.Done;
  },
};
