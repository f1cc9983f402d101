/**
 * Java RMI transport protocol (Java SE "Java Remote Method Invocation
 * Specification", 10.2 "RMI Transport Protocol"): the client opens with the
 * header "JRMI", a 16-bit version (2) and a protocol byte (0x4B
 * StreamProtocol, 0x4C SingleOpProtocol, 0x4D MultiplexProtocol); a
 * StreamProtocol connection is answered with ProtocolAck (0x4E) or
 * ProtocolNotSupported (0x4F). The client header identifies the flow.
 * Ignores: the serialized call data.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.JRMI,
  on: On.Tcp,
  tcpPorts: [1099],
  budget: 2,
  tcpFirstBytes: [0x4a], // 'J'RMI
  tcpFirstPacket: { short: [0x4a] }, // the 7-byte header
  fields: [],
  doc: 'Java RMI transport header: "JRMI", version 2, protocol 0x4B/0x4C/0x4D.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 7 || b[o] !== 0x4a || b[o + 1] !== 0x52 || b[o + 2] !== 0x4d || b[o + 3] !== 0x49) return Verdict.Exclude;
    const proto = b[o + 6];
    return b[o + 4] === 0 && b[o + 5] === 2 && proto >= 0x4b && proto <= 0x4d ? Verdict.Done : Verdict.Exclude;
  },
};
