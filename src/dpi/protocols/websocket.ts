/**
 * WebSocket frames (RFC 6455 section 5.2) seen without their HTTP Upgrade
 * handshake (a flow caught after it, or a raw WebSocket stream), weak: a
 * direction's first segment is exactly one frame with FIN or not, RSV bits
 * clear, a text/binary/close/ping/pong opcode, and a payload length (7-bit,
 * 16-bit or 64-bit form, plus the 4-byte mask when the mask bit is set) that
 * ends exactly where the segment ends. A connection that upgrades from
 * HTTP stays HTTP, as nDPI reports it.
 * Ignores: frame payloads, extensions.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** Frame length implied by the header at p, or -1 when the header is invalid or incomplete. */
function frameLength(buf: Buffer, p: number, end: number): number {
  if (end - p < 2) return -1;
  const b0 = buf[p];
  const op = b0 & 0x0f;
  if ((b0 & 0x70) !== 0 || !(op === 1 || op === 2 || op === 8 || op === 9 || op === 10)) return -1;
  if (op >= 8 && (b0 & 0x80) === 0) return -1;
  const b1 = buf[p + 1];
  let len = b1 & 0x7f;
  let h = 2;
  if (len === 126) {
    if (end - p < 4) return -1;
    len = (buf[p + 2] << 8) | buf[p + 3];
    if (len < 126) return -1;
    h = 4;
  } else if (len === 127) {
    if (end - p < 10 || buf[p + 2] !== 0 || buf[p + 3] !== 0 || buf[p + 4] !== 0 || buf[p + 5] !== 0) return -1;
    len = ((buf[p + 6] << 24) | (buf[p + 7] << 16) | (buf[p + 8] << 8) | buf[p + 9]) >>> 0;
    if (len < 65536) return -1;
    h = 10;
  }
  if (op >= 8 && len > 125) return -1;
  if (b1 & 0x80) h += 4;
  return h + len;
}

export const dissector: Dissector = {
  id: P.WebSocket,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x01, 0x02, 0x81, 0x82, 0x88, 0x89, 0x8a], // FIN bit, RSV 0, opcode text/binary (close/ping/pong need FIN)
  tcpFirstPacket: { short: [0x01, 0x02, 0x81, 0x82, 0x88, 0x89, 0x8a] }, // frames of 2 bytes and more
  weak: true,
  fields: [],
  doc: 'WebSocket frames (RFC 6455) without the HTTP handshake (weak): a first segment that is exactly one well-formed frame.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.dirIndex !== 0) return Verdict.Exclude;
    return frameLength(ctx.buf, ctx.off, ctx.off + ctx.len) === ctx.len ? Verdict.Done : Verdict.Exclude;
  },
};
