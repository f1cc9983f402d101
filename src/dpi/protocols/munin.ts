/**
 * Munin node protocol (Munin documentation, "munin-node" protocol): when a
 * master connects (TCP 4949), the node greets with the line
 * "# munin node at <hostname>\n". The host name is kept as server_name.
 * Ignores: the list/fetch/config exchange that follows.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOfByte, startsWith } from '../bytes';

const GREETING = ascii('# munin node at ');

export const dissector: Dissector = {
  id: P.Munin,
  on: On.Tcp,
  tcpPorts: [4949],
  budget: 2,
  tcpFirstBytes: [0x23], // '#' munin node at
  tcpFirstPacket: { short: [] }, // "# munin node at " alone is 16 bytes
  fields: ['server_name'],
  doc: 'Munin node greeting "# munin node at <host>"; server_name is the host.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (!startsWith(b, o, end, GREETING)) return Verdict.Exclude;
    const start = o + GREETING.length;
    const lf = indexOfByte(b, start, Math.min(end, start + 255), 0x0a);
    if (lf <= start) return Verdict.Exclude;
    let e = lf;
    if (b[e - 1] === 0x0d) e--;
    for (let i = start; i < e; i++) if (b[i] <= 0x20 || b[i] > 0x7e) return Verdict.Exclude;
    ctx.set('server_name', b.toString('latin1', start, e));
    return Verdict.Done;
  },
};
