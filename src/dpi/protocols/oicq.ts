/**
 * OICQ, the UDP protocol of Tencent QQ's desktop clients (as Wireshark's
 * packet-oicq.c describes it): a message starts with the flag byte 0x02,
 * then version (2 bytes), command (2), sequence (2) and the sender's QQ
 * number (4), and ends with the byte 0x03. Recognised from the start and end
 * markers, a plausible client version and a command from the known ranges
 * (0x0001-0x00b5, 0x03f7).
 * Ignores: the (encrypted) message body.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const FLAG_START = 0x02;
const FLAG_END = 0x03;
/** Flag, version, command, sequence, QQ number, end flag. */
const MIN_LEN = 1 + 2 + 2 + 2 + 4 + 1;

export const dissector: Dissector = {
  id: P.OICQ,
  on: On.Udp,
  udpPorts: [8000],
  budget: 2,
  udpFirstBytes: [0x02], // start flag
  udpFirstPacket: { short: [0x02] }, // 12 bytes and more
  fields: [],
  doc: 'OICQ (Tencent QQ over UDP): 0x02 ... 0x03 framing with version, command and QQ number header (Wireshark OICQ dissector).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < MIN_LEN || b[o] !== FLAG_START || b[o + n - 1] !== FLAG_END) return Verdict.Exclude;
    const version = be16(b, o + 1);
    const command = be16(b, o + 3);
    if (version < 0x0100) return Verdict.Exclude;
    if (command === 0 || (command > 0x00b5 && command !== 0x03f7)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
