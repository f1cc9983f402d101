/**
 * CoAP (RFC 7252 3): version 1, type CON/NON/ACK/RST, token length 0..8, a
 * code of a known class (0.00 empty, 0.01-0.07 requests incl. FETCH/PATCH/
 * iPATCH of RFC 8132, 2.xx/4.xx/5.xx responses), message ID, token, then
 * options (delta/length nibbles with their extended forms, 15 reserved) up
 * to the end of the datagram or to the 0xFF payload marker followed by a
 * payload. An empty message is exactly 4 bytes. On the CoAP ports (5683,
 * 5684) one such message is enough; elsewhere a request must be answered
 * from the other side by a message with the same message ID (piggy-backed
 * ACK or RST) or the same token (separate response).
 * Ignores: option values (Uri-Path, Content-Format ...), block transfer,
 * CoAP over TCP/WebSockets (RFC 8323), DTLS-protected CoAP.
 */
import { P } from '../generated/protocols';
import { byteValues, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

interface CoapState {
  mid: number;
  token: Buffer;
}

function codeOk(code: number): boolean {
  const cls = code >> 5;
  const detail = code & 31;
  if (cls === 0) return detail <= 7;
  if (cls === 2) return (detail >= 1 && detail <= 5) || detail === 31;
  if (cls === 4) return detail <= 15 || detail === 29;
  if (cls === 5) return detail <= 5;
  return false;
}

/** Returns the code when buf[off, off+len) is a well-formed CoAP message, else -1. */
function message(buf: Buffer, off: number, len: number): number {
  if (len < 4) return -1;
  const b0 = buf[off];
  const tkl = b0 & 0x0f;
  const code = buf[off + 1];
  if (b0 >> 6 !== 1 || tkl > 8 || !codeOk(code)) return -1;
  if (code === 0) return len === 4 && tkl === 0 ? 0 : -1;
  const end = off + len;
  let p = off + 4 + tkl;
  if (p > end) return -1;
  while (p < end) {
    const b = buf[p++];
    if (b === 0xff) return p < end ? code : -1;
    let delta = b >> 4;
    let olen = b & 0x0f;
    if (delta === 15 || olen === 15) return -1;
    if (delta === 13) delta = p < end ? 13 + buf[p++] : -1;
    else if (delta === 14) delta = p + 2 <= end ? 269 + be16(buf, (p += 2) - 2) : -1;
    if (delta < 0) return -1;
    if (olen === 13) olen = p < end ? 13 + buf[p++] : -1;
    else if (olen === 14) olen = p + 2 <= end ? 269 + be16(buf, (p += 2) - 2) : -1;
    if (olen < 0 || p + olen > end) return -1;
    p += olen;
  }
  return code;
}

export const dissector: Dissector = {
  id: P.COAP,
  on: On.Udp,
  udpPorts: [5683, 5684],
  budget: 4,
  udpFirstBytes: [[0x40, 0x48], [0x50, 0x58], [0x60, 0x68], [0x70, 0x78]], // version 1, type, token length 0..8
  udpFirstPacket: {
    bytes: [[1, byteValues((c) => c !== 0 && codeOk(c))]], // an empty message is 4 bytes
    short: [[0x40, 0x48], [0x50, 0x58], [0x60, 0x68], [0x70, 0x78]], // the 4-byte header
  },
  fields: [],
  doc: 'CoAP (RFC 7252) messages: header, token and option encoding; off its ports a request answered with the same message ID or token.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const code = message(buf, off, ctx.len);
    if (code < 0) return Verdict.Exclude;
    const sp = ctx.serverPort;
    const cp = ctx.clientPort;
    if (sp === 5683 || sp === 5684 || cp === 5683 || cp === 5684) {
      ctx.detect(P.COAP);
      return Verdict.Done;
    }
    const st = ctx.state as CoapState | undefined;
    const tkl = buf[off] & 0x0f;
    if (st === undefined) {
      if (ctx.dir !== 0 || code === 0 || code >> 5 !== 0 || ((buf[off] >> 4) & 3) > 1) return Verdict.Exclude;
      ctx.state = { mid: be16(buf, off + 2), token: Buffer.from(buf.subarray(off + 4, off + 4 + tkl)) };
      return Verdict.Continue;
    }
    if (ctx.dir === 0) return Verdict.Continue;
    const sameMid = be16(buf, off + 2) === st.mid && ((buf[off] >> 4) & 3) >= 2;
    const sameToken = tkl === st.token.length && tkl > 0 && st.token.equals(buf.subarray(off + 4, off + 4 + tkl)) && code >> 5 >= 2;
    if (!sameMid && !sameToken) return Verdict.Exclude;
    ctx.detect(P.COAP);
    return Verdict.Done;
  },
};
