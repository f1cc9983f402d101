/**
 * eDonkey2000 / eMule over TCP (the eMule protocol specification by
 * Kulbak and Bickson, "The eMule Protocol Specification", 2005): every
 * message starts with the protocol byte (0xE3 eDonkey, 0xC5 eMule
 * extensions, 0xD4 zlib-packed eMule), a little-endian 32-bit length
 * counting the opcode and the body, then the opcode. The first message of a
 * connection is a login/hello (OP_LOGINREQUEST/OP_HELLO 0x01, OP_HELLOANSWER
 * 0x4C) or a server/peer message whose length fills the segment exactly.
 * Ignores: eDonkey/Kad UDP (too little structure), obfuscated connections,
 * message contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

const MAX_MESSAGE = 2 * 1024 * 1024;

export const dissector: Dissector = {
  id: P.eDonkey,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0xc5, 0xd4, 0xe3], // protocol byte
  tcpFirstPacket: { short: [0xc5, 0xe3] }, // a message filling the segment (a hello, or 0xD4, is 22 bytes and more)
  fields: [],
  doc: 'eDonkey/eMule TCP messages: protocol byte 0xE3/0xC5/0xD4, length, login/hello opcode (eMule protocol specification).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const len = ctx.len;
    if (ctx.dirIndex !== 0 || len < 6) return Verdict.Exclude;
    const proto = b[o];
    if (proto !== 0xe3 && proto !== 0xc5 && proto !== 0xd4) return Verdict.Exclude;
    const mlen = le32(b, o + 1);
    if (mlen < 1 || mlen > MAX_MESSAGE || mlen + 5 > len) return Verdict.Exclude;
    const op = b[o + 5];
    // A hello with its 16-byte user hash, or any message filling the segment exactly.
    const hello = (op === 0x01 || op === 0x4c) && mlen >= 17;
    if (!hello && mlen + 5 !== len) return Verdict.Exclude;
    if (!hello && proto === 0xd4) return Verdict.Exclude;
    ctx.detect(P.eDonkey);
    return Verdict.Done;
  },
};
