/**
 * Cassandra CQL native protocol (native_protocol_v3/v4/v5.spec, section 2):
 * the frame header is version (0x03..0x05 requests, | 0x80 responses), flags
 * (defined bits 0x01..0x10 only), a 16-bit stream id, opcode and a 32-bit
 * body length. A client STARTUP (opcode 0x01) whose string map holds
 * "CQL_VERSION" is enough; an OPTIONS (0x05, empty body) needs the server's
 * response frame on the same stream (READY 0x02, AUTHENTICATE 0x03,
 * SUPPORTED 0x06 or ERROR 0x00).
 * Ignores: protocol v1/v2 (8-byte headers), v5 framing after the handshake,
 * the frames' contents.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, be32, indexOf } from '../bytes';

const CQL_VERSION = ascii('CQL_VERSION');

interface CqlState {
  version: number;
  stream: number;
}

/** Frame header checks: returns the opcode or -1. */
function header(b: Buffer, o: number, n: number, response: boolean): number {
  if (n < 9) return -1;
  const v = b[o];
  const ver = v & 0x7f;
  if (ver < 3 || ver > 5 || ((v & 0x80) !== 0) !== response || (b[o + 1] & 0xe0) !== 0) return -1;
  const len = be32(b, o + 5);
  if (len + 9 !== n) return -1;
  return b[o + 4];
}

export const dissector: Dissector = {
  id: P.Cassandra,
  on: On.Tcp,
  tcpPorts: [7000, 9042],
  budget: 4,
  tcpFirstBytes: [[0x03, 0x05]], // request frame version 3..5
  tcpFirstPacket: { short: [[0x03, 0x05]] }, // e.g. the 9-byte OPTIONS
  fields: [],
  doc: 'Cassandra CQL native protocol v3-v5 frame header: STARTUP with CQL_VERSION, or OPTIONS answered on the same stream.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const st = ctx.state as CqlState | undefined;
    if (st === undefined) {
      if (ctx.dir !== Dir.C2S) return Verdict.Exclude;
      const op = header(b, o, n, false);
      if (op === 0x01 && be16(b, o + 9) > 0 && indexOf(b, o + 9, o + n, CQL_VERSION) >= 0) return Verdict.Done;
      if (op !== 0x05 || n !== 9) return Verdict.Exclude;
      ctx.state = { version: b[o], stream: be16(b, o + 2) };
      return Verdict.Continue;
    }
    if (ctx.dir === Dir.C2S) return Verdict.Continue;
    const op = header(b, o, n, true);
    if ((b[o] & 0x7f) === st.version && be16(b, o + 2) === st.stream && (op === 0 || op === 2 || op === 3 || op === 6)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
