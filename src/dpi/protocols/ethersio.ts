/**
 * Ether-SIO, SAIA Burgess remote I/O over UDP (port 6060; header layout as
 * described in the Wireshark Ether-SIO/ESIO dissector): the magic "ESIO", a
 * version byte 0, a telegram type 0..2 (data, data request/acknowledge,
 * status) and a reserved byte 0, in datagrams of at least 20 bytes.
 * Ignores: the I/O data.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.EtherSIO,
  on: On.Udp,
  udpPorts: [6060],
  budget: 2,
  udpFirstBytes: [0x45], // 'E'SIO
  udpFirstPacket: { short: [] }, // at least 20 bytes
  fields: [],
  doc: 'Ether-SIO header: "ESIO", version 0, telegram type 0..2, reserved 0.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 20 || b[o] !== 0x45 || b[o + 1] !== 0x53 || b[o + 2] !== 0x49 || b[o + 3] !== 0x4f) return Verdict.Exclude;
    return b[o + 4] === 0 && b[o + 5] <= 2 && b[o + 6] === 0 ? Verdict.Done : Verdict.Exclude;
  },
};
