/**
 * CPHA, Check Point ClusterXL high-availability protocol (CPHAP, as
 * described by Check Point sk25977 and the Wireshark CPHA dissector): UDP
 * datagrams (port 8116, usually sent from 0.0.0.0 or to a cluster
 * multicast/broadcast address) starting with the magic 0x1A90, then the
 * protocol version (non-zero), cluster id and HA opcode (1..12).
 * Ignores: state, probe and interface report contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

export const dissector: Dissector = {
  id: P.CPHA,
  on: On.Udp,
  udpPorts: [8116],
  budget: 2,
  udpFirstBytes: [0x1a], // magic 0x1A90
  udpFirstPacket: { short: [] }, // more than 20 bytes
  fields: [],
  doc: 'Check Point CPHAP: magic 0x1A90, non-zero version, HA opcode 1..12.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len <= 20 || b[o] !== 0x1a || b[o + 1] !== 0x90) return Verdict.Exclude;
    const op = be16(b, o + 6);
    return be16(b, o + 2) !== 0 && op >= 1 && op <= 12 ? Verdict.Done : Verdict.Exclude;
  },
};
