/**
 * PostgreSQL frontend/backend protocol (PostgreSQL documentation, "Frontend/
 * Backend Protocol", "Message Formats"). The client opens with one of the
 * untyped messages: StartupMessage (Int32 length, Int32 196608 = protocol
 * 3.0, then NUL-terminated parameter name/value pairs and a final NUL, "user"
 * required), SSLRequest (length 8, code 80877103), GSSENCRequest (80877104)
 * or CancelRequest (length 16, code 80877102). A StartupMessage identifies
 * the flow by itself; an SSL/GSS request needs the server's one-byte answer
 * ('S', 'N' or 'G'). A server seen first is recognised by an Authentication
 * message ('R', Int32 length, Int32 auth type 0..12).
 * Ignores: everything after the startup exchange, the pre-3.0 protocol.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const PROTO_30 = 196608;
const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** True when buf[o, o+n) is a StartupMessage 3.0 with a "user" parameter. */
function startup(b: Buffer, o: number, n: number): boolean {
  if (n < 14 || be32(b, o) !== n || be32(b, o + 4) !== PROTO_30 || b[o + n - 1] !== 0) return false;
  let i = o + 8;
  const end = o + n - 1;
  let user = false;
  let pairs = 0;
  while (i < end) {
    const k = i;
    while (i < end && b[i] !== 0) {
      if (b[i] < 0x20) return false;
      i++;
    }
    if (i >= end || i === k) return false;
    if (i - k === 4 && b[k] === 0x75 && b[k + 1] === 0x73 && b[k + 2] === 0x65 && b[k + 3] === 0x72) user = true;
    i++;
    while (i < end && b[i] !== 0) i++;
    if (i >= end) return false;
    i++;
    pairs++;
  }
  return user && pairs > 0 && i === end;
}

/** True for a backend Authentication message at buf[o...]. */
function authentication(b: Buffer, o: number, n: number): boolean {
  if (n < 9 || b[o] !== 0x52) return false;
  const len = be32(b, o + 1);
  if (len < 8 || len > 1024 || len + 1 > n) return false;
  const t = be32(b, o + 5);
  return t <= 12 && t !== 1 && t !== 4 && t !== 6;
}

export const dissector: Dissector = {
  id: P.PostgreSQL,
  on: On.Tcp,
  tcpPorts: [5432],
  budget: 4,
  tcpFirstBytes: [0x00, 0x52], // 32-bit length (startup, cancel), 'R' Authentication
  tcpFirstPacket: { short: [0x00, 0x52] }, // SSLRequest (8 bytes), short StartupMessage, 9-byte Authentication
  fields: [],
  doc: 'PostgreSQL StartupMessage (protocol 3.0 with "user"), SSLRequest/GSSENCRequest answered S/N/G, CancelRequest, or a backend Authentication message first.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const st = ctx.state as number | undefined;
    if (st === undefined) {
      if (ctx.flowIndex !== 0) return Verdict.Exclude;
      if (ctx.dir === Dir.S2C || n < 8) return authentication(b, o, n) ? Verdict.Done : Verdict.Exclude;
      const len = be32(b, o);
      const code = be32(b, o + 4);
      if (len === 8 && n === 8 && (code === SSL_REQUEST || code === GSS_REQUEST)) {
        ctx.state = 1;
        return Verdict.Continue;
      }
      if (len === 16 && n === 16 && code === CANCEL_REQUEST) return Verdict.Done;
      if (startup(b, o, n)) return Verdict.Done;
      if (authentication(b, o, n)) return Verdict.Done;
      return Verdict.Exclude;
    }
    // Waiting for the answer to SSLRequest / GSSENCRequest.
    if (ctx.dir !== Dir.S2C) return Verdict.Continue;
    const c = b[o];
    if (n === 1 && (c === 0x53 || c === 0x4e || c === 0x47)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
