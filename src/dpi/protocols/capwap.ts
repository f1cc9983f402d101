/**
 * CAPWAP (RFC 5415 section 4.1 preamble, 4.3 header, 4.5.1 control
 * header; RFC 5416 for IEEE 802.11 bindings): preamble version 0 and type 0
 * (CAPWAP header) or 1 (DTLS: three reserved zero bytes then a DTLS record:
 * content type 20..23, version 0xFEFF/0xFEFD). The CAPWAP header gives
 * HLEN (in 4-byte words, >= 2), the radio id, the wireless binding (WBID 1
 * IEEE 802.11 or 3 EPCGlobal) and flags (reserved bits clear). A control
 * message (T clear) has a control header: message type with enterprise 0
 * and type 1..26, sequence number, and a message element length equal to
 * the rest of the datagram after the sequence number. A data message (T
 * set, 802.11 binding) must hold at least an 802.11 header after HLEN; a
 * data keep-alive (K flag) carries message elements filling the datagram.
 * Ignores: message elements, the 802.11/802.3 frames (the decoder may unwrap
 * data channel frames before DPI).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

function capwap(b: Buffer, o: number, n: number): boolean {
  if (n < 8) return false;
  const pre = b[o];
  if (pre === 0x01) {
    if (n < 17 || b[o + 1] !== 0 || b[o + 2] !== 0 || b[o + 3] !== 0) return false;
    const ct = b[o + 4];
    const v = be16(b, o + 5);
    return ct >= 20 && ct <= 23 && (v === 0xfeff || v === 0xfefd);
  }
  if (pre !== 0) return false;
  const hlen = (b[o + 1] >> 3) * 4;
  const wbid = (b[o + 2] >> 1) & 0x1f;
  const t = b[o + 2] & 1;
  const flags = b[o + 3];
  if (hlen < 8 || hlen > n || (flags & 0x07) !== 0) return false;
  const p = o + hlen;
  const end = o + n;
  if ((flags & 0x08) !== 0) {
    // Data channel keep-alive: message element length then elements.
    return p + 2 <= end && p + 2 + be16(b, p) === end;
  }
  if (t === 0) {
    if (wbid !== 1 && wbid !== 3 && wbid !== 0) return false;
    if (p + 8 > end) return false;
    const mt = be32(b, p);
    if (mt === 0 || mt > 26) return false;
    return p + 5 + be16(b, p + 5) === end && b[p + 7] === 0;
  }
  return wbid === 1 && p + 24 <= end;
}

export const dissector: Dissector = {
  id: P.CAPWAP,
  on: On.Udp,
  udpPorts: [5246, 5247],
  budget: 2,
  udpFirstBytes: [0x00, 0x01], // preamble: CAPWAP header, DTLS
  udpFirstPacket: { short: [0x00] }, // a header-only data keep-alive fits in 10 bytes; DTLS needs 17
  fields: [],
  doc: 'CAPWAP preamble and header (RFC 5415): DTLS-wrapped records, control messages with an exact element length, data keep-alives, or 802.11 data frames.',
  dissect(ctx: DissectContext): Verdict {
    return capwap(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
