/**
 * Nintendo Pia: the peer-to-peer game session library of Nintendo consoles
 * (3DS, Wii U, Switch). Every Pia packet starts with an unencrypted header
 * whose first four bytes are the magic 32 AB 98 64, followed by a byte that
 * is the encryption flag (1/2, Pia up to 5.10) or the version number in the
 * low 7 bits with 0x80 meaning "encrypted" (Pia 5.11 and later), per the
 * NintendoClients wiki "Pia Protocol". Recognised from the magic, a known
 * value of that byte and a length that holds the header.
 * Ignores: the (AES-GCM encrypted) messages.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const MAGIC = 0x32ab9864;
const MIN_LEN = 16;

function knownVersionByte(v: number): boolean {
  if (v === 1 || v === 2) return true;
  const ver = v & 0x7f;
  return ver >= 3 && ver <= 15;
}

export const dissector: Dissector = {
  id: P.Nintendo,
  on: On.Udp,
  budget: 2,
  udpFirstBytes: [0x32], // magic 32 AB 98 64
  udpFirstPacket: { short: [] }, // MIN_LEN 16
  fields: [],
  doc: 'Nintendo Pia peer-to-peer packets: magic 32 AB 98 64 and a known encryption/version byte (NintendoClients wiki).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < MIN_LEN || be32(b, o) !== MAGIC) return Verdict.Exclude;
    return knownVersionByte(b[o + 4]) ? Verdict.Done : Verdict.Exclude;
  },
};
