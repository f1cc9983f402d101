/**
 * ActiveMQ OpenWire (activemq.apache.org "OpenWire Version 2
 * Specification"): with size prefixing on (the default) each command is a
 * 32-bit size and a data type byte; the first command either side sends is
 * WIREFORMAT_INFO (type 1) whose body starts with the magic "ActiveMQ" and a
 * 32-bit protocol version (1..12 and later).
 * Ignores: the marshalled properties and all later commands.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be32, startsWith } from '../bytes';

const MAGIC = ascii('ActiveMQ');

export const dissector: Dissector = {
  id: P.OpenWire,
  on: On.Tcp,
  tcpPorts: [61616],
  budget: 2,
  tcpFirstBytes: [0x00], // 32-bit size <= 1 MiB
  tcpFirstPacket: { short: [] }, // 17 bytes and more
  fields: [],
  doc: 'ActiveMQ OpenWire WIREFORMAT_INFO: size prefix, type 1, magic "ActiveMQ", protocol version.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 17 || b[o + 4] !== 1 || !startsWith(b, o + 5, o + n, MAGIC)) return Verdict.Exclude;
    const size = be32(b, o);
    const ver = be32(b, o + 13);
    if (size < 13 || size > 0x100000 || ver === 0 || ver > 100) return Verdict.Exclude;
    return Verdict.Done;
  },
};
