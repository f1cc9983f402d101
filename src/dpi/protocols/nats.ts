/**
 * NATS client protocol (docs.nats.io, "Client Protocol"): text lines ending
 * in CRLF. The server greets with "INFO {...}" (a JSON object); the client
 * sends "CONNECT {...}". Either line, complete and with a JSON object body,
 * identifies the flow (servers may put a space before the CRLF).
 * Ignores: PUB/SUB/MSG traffic, the JSON fields.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, lineEnd, startsWith } from '../bytes';

const INFO = ascii('INFO {');
const CONNECT = ascii('CONNECT {');

export const dissector: Dissector = {
  id: P.Nats,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x43, 0x49], // 'C'ONNECT, 'I'NFO
  tcpFirstPacket: { short: [0x43, 0x49] }, // "INFO {}\r\n" is 9 bytes
  fields: [],
  doc: 'NATS "INFO {json}" server greeting or "CONNECT {json}" client line (CRLF-terminated).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    const c = b[o];
    if (c !== 0x49 && c !== 0x43) return Verdict.Exclude;
    if (!startsWith(b, o, end, INFO) && !startsWith(b, o, end, CONNECT)) return Verdict.Exclude;
    let le = lineEnd(b, o, end);
    if (le < 0) return Verdict.Exclude;
    while (b[le - 1] === 0x20) le--;
    if (b[le - 1] !== 0x7d) return Verdict.Exclude;
    return Verdict.Done;
  },
};
