/**
 * SNMP (RFC 3416 PDUs; message formats of RFC 1157 v1, RFC 1901 v2c and RFC
 * 3412 v3) in BER: a SEQUENCE spanning the whole datagram, an INTEGER
 * version (0, 1 or 3), then for v1/v2c an OCTET STRING community and a PDU
 * (context tags [0]..[8]: Get, GetNext, Response, Set, Trap, GetBulk, Inform,
 * SNMPv2-Trap, Report) filling the rest; for v3 the header data SEQUENCE
 * (msgID, msgMaxSize, 1-byte msgFlags, msgSecurityModel), the security
 * parameters OCTET STRING and a scoped PDU (SEQUENCE, or OCTET STRING when
 * encrypted). Recognised on any UDP port from this exact BER layout.
 * Risk: Error Code when a v1/v2c Response carries a non-zero error-status
 * (requests are followed by one more packet to see it).
 * Ignores: variable bindings, community strings (not exported), TCP
 * transport (RFC 3430).
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { Cursor } from '../cursor';

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const PDU_RESPONSE = 0xa2;
const PDU_TRAP_V1 = 0xa4;

/** Reads a BER tag and definite length; returns the content length, or -1 (wrong tag, bad length, overrun). */
function tlv(cur: Cursor, tag: number): number {
  if (cur.u8() !== tag) return -1;
  let n = cur.u8();
  if (n & 0x80) {
    const k = n & 0x7f;
    if (k === 0 || k > 3) return -1;
    n = 0;
    for (let i = 0; i < k; i++) n = (n << 8) | cur.u8();
  }
  if (cur.overrun || n > cur.remaining()) return -1;
  return n;
}

/** Reads a small INTEGER (up to 4 content bytes); returns it or -1. */
function int(cur: Cursor): number {
  const n = tlv(cur, INTEGER);
  if (n < 1 || n > 5) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + cur.u8();
  return cur.overrun ? -1 : v;
}

/** Parses one message; returns the PDU tag (v1/v2c), 0x100 for v3, or -1. Sets errorStatus. */
function parse(cur: Cursor, out: { errorStatus: number }): number {
  const total = tlv(cur, SEQUENCE);
  if (total < 0 || total !== cur.remaining()) return -1;
  const version = int(cur);
  if (version === 0 || version === 1) {
    const c = tlv(cur, OCTET_STRING);
    if (c < 0) return -1;
    cur.skip(c);
    const pdu = cur.peek();
    if (pdu < 0xa0 || pdu > 0xa8) return -1;
    const n = tlv(cur, pdu);
    if (n < 0 || n !== cur.remaining()) return -1;
    if (pdu !== PDU_TRAP_V1) {
      if (int(cur) < 0) return -1;
      out.errorStatus = int(cur);
      if (out.errorStatus < 0 || int(cur) < 0) return -1;
    }
    return pdu;
  }
  if (version === 3) {
    const h = tlv(cur, SEQUENCE);
    if (h < 0) return -1;
    const hEnd = cur.pos + h;
    if (int(cur) < 0 || int(cur) < 0 || tlv(cur, OCTET_STRING) !== 1) return -1;
    cur.skip(1);
    if (int(cur) < 0 || cur.pos !== hEnd) return -1;
    const sp = tlv(cur, OCTET_STRING);
    if (sp < 0) return -1;
    cur.skip(sp);
    const tag = cur.peek();
    if (tag !== SEQUENCE && tag !== OCTET_STRING) return -1;
    const s = tlv(cur, tag);
    if (s < 0 || s !== cur.remaining()) return -1;
    return 0x100;
  }
  return -1;
}

/** One BER element read by berElement(): tag and content range. */
export interface BerElement {
  tag: number;
  start: number;
  end: number;
}

/**
 * Reads the BER element at p within [p, end) (single-byte tags, definite
 * lengths of up to 3 length bytes); fills el and returns the offset after it,
 * or -1 when it does not fit. Shared by the BER-based dissectors.
 */
export function berElement(buf: Buffer, p: number, end: number, el: BerElement): number {
  if (p + 2 > end) return -1;
  const tag = buf[p];
  if ((tag & 0x1f) === 0x1f) return -1;
  let n = buf[p + 1];
  p += 2;
  if (n & 0x80) {
    const k = n & 0x7f;
    if (k === 0 || k > 3 || p + k > end) return -1;
    n = 0;
    for (let i = 0; i < k; i++) n = (n << 8) | buf[p + i];
    p += k;
  }
  if (p + n > end) return -1;
  el.tag = tag;
  el.start = p;
  el.end = p + n;
  return p + n;
}

/** The value of a BER INTEGER element of 1..4 bytes (non-negative), or -1. */
export function berInt(buf: Buffer, el: BerElement): number {
  const n = el.end - el.start;
  if (el.tag !== INTEGER || n < 1 || n > 4) return -1;
  let v = 0;
  for (let i = el.start; i < el.end; i++) v = v * 256 + buf[i];
  return v;
}

export const dissector: Dissector = {
  id: P.SNMP,
  on: On.Udp,
  udpPorts: [161, 162],
  budget: 2,
  udpFirstBytes: [0x30], // BER SEQUENCE
  udpFirstPacket: { short: [0x30] }, // a small v1 Trap fits
  fields: [],
  doc: 'SNMP v1/v2c/v3 (RFC 1157/1901/3412/3416) messages in BER on UDP; Error Code risk on error responses.',
  dissect(ctx: DissectContext): Verdict {
    const cur = ctx.cur;
    if (ctx.len < 2 || ctx.buf[ctx.off] !== SEQUENCE) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    const out = { errorStatus: 0 };
    const pdu = parse(cur, out);
    if (pdu < 0) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    if (ctx.state === undefined) {
      ctx.state = true;
      ctx.detect(P.SNMP);
    }
    if (pdu === PDU_RESPONSE) {
      if (out.errorStatus !== 0) ctx.risk(Risk.Error_Code, `SNMP Error ${out.errorStatus}`);
      return Verdict.Done;
    }
    // Requests: look at the answer for its error status.
    return pdu === 0xa0 || pdu === 0xa1 || pdu === 0xa3 || pdu === 0xa5 || pdu === 0xa6 ? Verdict.Detected : Verdict.Done;
  },
};
