/**
 * Path of Exile (Grinding Gear Games) login (TCP): the client's first
 * message is message id 0x0003 (16-bit big-endian), a 32-bit value, 0x0002,
 * the account/character name as a 16-bit length (4-23) and its characters,
 * then 4 bytes, a zero 32-bit word and 0x40000001. Recognised when the
 * segment holds exactly that message with a printable name.
 * Ignores: the encrypted session after login.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

function isLogin(b: Buffer, o: number, n: number): boolean {
  if (n < 26 || n > 49 || be16(b, o) !== 0x0003 || be16(b, o + 6) !== 0x0002) return false;
  const nameLen = be16(b, o + 8);
  if (nameLen < 4 || nameLen > 23 || n !== 10 + nameLen + 12) return false;
  for (let i = 0; i < nameLen; i++) {
    const c = b[o + 10 + i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return be32(b, o + n - 8) === 0 && be32(b, o + n - 4) === 0x40000001;
}

export const dissector: Dissector = {
  id: P.PathofExile,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x00], // message id 0x0003
  tcpFirstPacket: { short: [] }, // 26 bytes at least
  fields: [],
  doc: 'Path of Exile: the client login message (id 3, name length and name, trailing 0 / 0x40000001) filling the first segment.',
  dissect(ctx: DissectContext): Verdict {
    return isLogin(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
