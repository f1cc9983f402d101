/**
 * Raw Protocol Buffers messages sent without other framing (protobuf.dev,
 * "Encoding"): a payload is a sequence of fields, each a varint tag (field
 * number >= 1, wire type 0 VARINT, 1 I64, 2 LEN or 5 I32; the deprecated
 * group types 3/4 are refused) and its value. A payload qualifies when its
 * fields consume it exactly (the last one may run past the end of the
 * segment after at least two complete fields), its first tag is a single
 * byte (encoders write fields in field-number order, so the first is small)
 * and it is not all printable text. This is a weak heuristic run
 * after every other dissector: a flow is labelled only when its first three
 * payload packets all qualify, or one holds at least eight fields
 * including a LEN field; any payload that does not parse
 * excludes the flow.
 * Ignores: field semantics (no schema), gRPC (HTTP/2) and length-delimited
 * streams.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, FirstBytes, On, Verdict } from '../dissector';
import { isPrintable } from '../bytes';

const MAX_FIELDS = 64;

/** First byte: a one-byte tag (field 1..15) of wire type 0, 1, 2 or 5. */
const FIRST_TAGS: FirstBytes = Array.from({ length: 15 }, (_, i) => (i + 1) << 3).flatMap((t): (number | [number, number])[] => [[t, t + 2], t + 5]);

interface PbState {
  good: number;
  rich: boolean;
}

/** Reads a varint at p (at most 10 bytes); returns the offset after it, -1 if it runs past end, -2 if invalid. */
function varint(b: Buffer, p: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    if (p + i >= end) return -1;
    if ((b[p + i] & 0x80) === 0) return p + i + 1;
  }
  return -2;
}

/** Number of fields (>= 2) when the payload qualifies, 0 when it does not; bit 0x1000 set when a LEN field was seen. */
function parse(b: Buffer, o: number, end: number): number {
  let p = o;
  let fields = 0;
  let len = false;
  while (p < end) {
    if (fields >= MAX_FIELDS) return fields | (len ? 0x1000 : 0);
    const tagStart = p;
    const q = varint(b, p, end);
    if (q === -2) return 0;
    if (q === -1) return fields >= 2 ? fields | (len ? 0x1000 : 0) : 0;
    // Field number >= 1 (the tag is >= 8) and < 2^29 (at most 5 tag bytes).
    if (q - tagStart > 5 || (q - tagStart === 1 && b[tagStart] < 8)) return 0;
    const wt = b[tagStart] & 7;
    p = q;
    if (wt === 0) {
      const r = varint(b, p, end);
      if (r === -2) return 0;
      if (r === -1) return fields >= 2 ? fields | (len ? 0x1000 : 0) : 0;
      p = r;
    } else if (wt === 1 || wt === 5) {
      p += wt === 1 ? 8 : 4;
      if (p > end) return fields >= 2 ? fields | (len ? 0x1000 : 0) : 0;
    } else if (wt === 2) {
      const r = varint(b, p, end);
      if (r === -2) return 0;
      if (r === -1 || r - p > 4) return r === -1 && fields >= 2 ? fields | (len ? 0x1000 : 0) : 0;
      let l = 0;
      for (let i = r - 1; i >= p; i--) l = l * 128 + (b[i] & 0x7f);
      if (l === 0) return 0;
      p = r + l;
      len = true;
      if (p > end) return fields >= 2 ? fields | 0x1000 : 0;
    } else {
      return 0;
    }
    fields++;
  }
  return fields >= 2 ? fields | (len ? 0x1000 : 0) : 0;
}

export const dissector: Dissector = {
  id: P.Protobuf,
  on: On.TcpUdp,
  budget: 3,
  tcpFirstBytes: FIRST_TAGS,
  udpFirstBytes: FIRST_TAGS,
  tcpFirstPacket: { short: FIRST_TAGS }, // two small fields fit in a few bytes
  udpFirstPacket: { short: FIRST_TAGS },
  weak: true,
  fields: [],
  doc: 'Raw Protocol Buffers payloads (weak): the first payloads all parse as complete field sequences (valid tags and wire types 0/1/2/5).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    // Protobuf encoders emit fields in field-number order: the first tag is one byte (field 1..15).
    // Text (all printable) is left alone.
    const c = b[o];
    if (ctx.len < 2 || c >= 0x80 || c < 8 || isPrintable(b, o, o + ctx.len)) return Verdict.Exclude;
    const r = parse(b, o, o + ctx.len);
    if (r === 0) return Verdict.Exclude;
    let st = ctx.state as PbState | undefined;
    if (st === undefined) {
      st = { good: 0, rich: false };
      ctx.state = st;
    }
    st.good++;
    if ((r & 0xfff) >= 8 && (r & 0x1000) !== 0) st.rich = true;
    if (st.good >= 3 || st.rich) return Verdict.Done;
    return Verdict.Continue;
  },
};
