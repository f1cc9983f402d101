/**
 * WHOIS (RFC 3912) and the Domain Availability Service (draft-newton-
 * whois-das, port 4343), labelled Whois-DAS as nDPI does. WHOIS has no
 * payload signature of its own: a query is one line of text ended by CRLF
 * and the answer free text until the server closes. So the flow must be on
 * the service's registered port (43 or 4343, server side) and the client's
 * first segment must be exactly one printable query line.
 * Metadata: server_name, the queried name (the last word of the query, when
 * it looks like a domain or address).
 * Ignores: the answer.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.Whois_DAS,
  on: On.Tcp,
  tcpPorts: [43, 4343],
  budget: 2,
  fields: ['server_name'],
  doc: 'WHOIS (RFC 3912) and DAS: one printable query line ended by CRLF sent to port 43/4343; the queried name.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.serverPort !== 43 && ctx.serverPort !== 4343) return Verdict.Exclude;
    if (ctx.dir !== 0 || ctx.dirIndex !== 0) return ctx.flowIndex === 0 ? Verdict.Continue : Verdict.Exclude;
    const buf = ctx.buf;
    const p = ctx.off;
    const end = p + ctx.len;
    if (ctx.len < 3 || ctx.len > 512 || buf[end - 2] !== 13 || buf[end - 1] !== 10) return Verdict.Exclude;
    for (let i = p; i < end - 2; i++) if (buf[i] < 0x20 || buf[i] > 0x7e) return Verdict.Exclude;
    ctx.detect(P.Whois_DAS);
    const words = buf.toString('latin1', p, end - 2).trim().split(/\s+/);
    const q = words[words.length - 1];
    if (/^[A-Za-z0-9.:_-]+\.[A-Za-z0-9-]+$/.test(q) || /^[0-9a-fA-F:.]+$/.test(q)) ctx.set('server_name', q.toLowerCase());
    return Verdict.Done;
  },
};
