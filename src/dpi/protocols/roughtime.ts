/**
 * Roughtime (draft-ietf-ntp-roughtime; Google's original Roughtime
 * protocol): requests and responses are tag/value messages. A message is:
 * number of tags N (uint32 little-endian), N-1 value offsets (uint32 LE,
 * multiples of 4, non-decreasing, within the value area), N tags (4 ASCII
 * bytes each, e.g. NONC, PAD, SIG, SREP, CERT, INDX, PATH, VER, padded with
 * 0x00 or 0xFF, in strictly increasing order as LE integers) and the values
 * (a multiple of 4 bytes). IETF drafts wrap the message in the 8-byte
 * "ROUGHTIM" magic and a uint32 LE message length. Recognised when the
 * whole datagram (or the wrapped message) follows that layout.
 * Ignores: the values (nonce, signatures, timestamps).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, le32, startsWith } from '../bytes';

const MAGIC = ascii('ROUGHTIM');
const MAX_TAGS = 32;

function tagByte(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x00 || c === 0xff;
}

function isMessage(b: Buffer, p: number, end: number): boolean {
  const len = end - p;
  if (len < 8) return false;
  const tags = le32(b, p);
  if (tags < 1 || tags > MAX_TAGS) return false;
  const header = 8 * tags;
  if (header > len) return false;
  const values = len - header;
  if (values % 4 !== 0) return false;
  let prev = 0;
  for (let i = 0; i < tags - 1; i++) {
    const off = le32(b, p + 4 + 4 * i);
    if (off % 4 !== 0 || off < prev || off > values) return false;
    prev = off;
  }
  let prevTag = -1;
  const tagBase = p + 4 * tags;
  for (let i = 0; i < tags; i++) {
    const t = tagBase + 4 * i;
    if (!tagByte(b[t]) || !tagByte(b[t + 1]) || !tagByte(b[t + 2]) || !tagByte(b[t + 3])) return false;
    if (b[t] === 0x00 || b[t] === 0xff) return false;
    const tag = le32(b, t);
    if (tag <= prevTag) return false;
    prevTag = tag;
  }
  return true;
}

function isRoughtime(b: Buffer, o: number, n: number): boolean {
  const end = o + n;
  if (startsWith(b, o, end, MAGIC)) {
    if (n < 12) return false;
    const len = le32(b, o + 8);
    return len <= n - 12 && isMessage(b, o + 12, o + 12 + len);
  }
  return isMessage(b, o, end);
}

export const dissector: Dissector = {
  id: P.Roughtime,
  on: On.TcpUdp,
  tcpPorts: [2002],
  udpPorts: [2002],
  budget: 2,
  tcpFirstBytes: [[0x01, 0x20], 0x52], // 32-bit LE tag count 1..32, 'R'OUGHTIM
  udpFirstBytes: [[0x01, 0x20], 0x52],
  // The tag count's high bytes (0), or "OUG" of the envelope's magic.
  // short: an 8-15 byte message with 1 tag (the envelope needs 20 bytes).
  tcpFirstPacket: { bytes: [[1, [0x00, 0x4f]], [2, [0x00, 0x55]], [3, [0x00, 0x47]]], short: [[0x01, 0x20]] },
  udpFirstPacket: { bytes: [[1, [0x00, 0x4f]], [2, [0x00, 0x55]], [3, [0x00, 0x47]]], short: [[0x01, 0x20]] },
  fields: [],
  doc: 'Roughtime: tag/value messages (tag count, ordered offsets, sorted ASCII tags), optionally in the "ROUGHTIM" envelope (draft-ietf-ntp-roughtime).',
  dissect(ctx: DissectContext): Verdict {
    return isRoughtime(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
