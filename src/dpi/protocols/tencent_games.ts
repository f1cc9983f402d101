/**
 * Tencent Games (TCP): the connection openings of Tencent's game access
 * layer seen in Honor of Kings / PUBG Mobile / CoD Mobile traffic:
 *  - the "3366" frame header: 0x3366 magic, 0x000B version, 0x000B command
 *    family, then direction/sequence fields;
 *  - the 0x4366AA00 / 0xAA000000 TConnd headers with the constant
 *    0x10E68601 at offset 12 / 10;
 *  - a 32-bit big-endian frame length followed by a zlib stream (0x78 0x01),
 *    the length matching the segment.
 * Recognised from one of these openings in a segment longer than 50 bytes.
 * Ignores: the (compressed or encrypted) frame contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const MIN_LEN = 51;

function isOpening(b: Buffer, o: number, n: number): boolean {
  if (n < MIN_LEN) return false;
  const w0 = be32(b, o);
  if (w0 === 0x3366000b && be16(b, o + 4) === 0x000b) return true;
  if (w0 === 0x4366aa00 && be32(b, o + 12) === 0x10e68601) return true;
  if (w0 === 0xaa000000 && be32(b, o + 10) === 0x10e68601) return true;
  return be16(b, o) === 0 && be16(b, o + 2) === n - 4 && be16(b, o + 4) === 0x7801;
}

export const dissector: Dissector = {
  id: P.TencentGames,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x00, 0x33, 0x43, 0xaa], // zlib frame length, 0x3366, TConnd 0x4366AA00 / 0xAA000000
  tcpFirstPacket: { short: [] }, // more than 50 bytes
  fields: [],
  doc: 'Tencent Games access layer: 0x3366000B/0x000B frames, TConnd 0x4366AA00 / 0xAA000000 headers (0x10E68601), or length-prefixed zlib frames.',
  dissect(ctx: DissectContext): Verdict {
    return isOpening(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
