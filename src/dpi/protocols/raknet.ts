/**
 * RakNet (Jenkins Software's UDP game networking library; message layout as
 * documented at wiki.vg "Raknet Protocol"). Recognised from:
 *  - offline (unconnected) messages, which carry the 16-byte
 *    OFFLINE_MESSAGE_DATA_ID magic 00ffff00 fefefefe fdfdfdfd 12345678:
 *    after the id byte for open connection requests/replies (0x05-0x08) and
 *    connection refusals, after the protocol byte for 0x19 (incompatible
 *    protocol), after the 8-byte time for unconnected pings (0x01, 0x02) and
 *    after time and GUID for unconnected pongs (0x1c); Roblox's variant puts
 *    a 31-byte prefix and the id byte before it (magic at offset 32);
 *  - connected datagrams, walked to the exact end of the datagram: frame
 *    sets (0x80-0x8d: 24-bit sequence, then frames of flags, bit length,
 *    reliable/sequenced/ordered indexes and split header as the reliability
 *    requires), ACK/NACK (0xc0/0xa0: record count, then single or range
 *    records), and unconnected pongs whose MOTD length fills the datagram.
 *    One such datagram is not enough (short random payloads, and RTP packets
 *    whose first byte is also 0x80, may pass the walk): it takes two of
 *    them, frame sets in one direction having datagram sequence numbers
 *    (24-bit little-endian) at most 64 apart, or one ACK/NACK with at least
 *    two records.
 * Ignores: message contents (game packets, encryption).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const MAGIC = [0x00, 0xff, 0xff, 0x00, 0xfe, 0xfe, 0xfe, 0xfe, 0xfd, 0xfd, 0xfd, 0xfd, 0x12, 0x34, 0x56, 0x78];
const MAGIC_OFFSETS = [1, 2, 9, 17, 32];

function magicAt(b: Buffer, p: number, end: number): boolean {
  if (p + MAGIC.length > end) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[p + i] !== MAGIC[i]) return false;
  return true;
}

function hasOfflineMagic(b: Buffer, o: number, end: number): boolean {
  for (const m of MAGIC_OFFSETS) if (magicAt(b, o + m, end)) return true;
  return false;
}

/** Frame set: true when the frames end exactly at the datagram's end. */
function frameSetFits(b: Buffer, o: number, end: number): boolean {
  let p = o + 4;
  if (p + 3 > end) return false;
  while (p + 3 <= end) {
    const flags = b[p];
    if ((flags & 0x0f) !== 0) return false;
    const bits = be16(b, p + 1);
    if (bits === 0 || (bits & 7) !== 0) return false;
    p += 3;
    const rel = flags >> 5;
    if (rel >= 2 && rel <= 4) p += 3; // reliable index
    if (rel === 1 || rel === 4) p += 3; // sequenced index
    if (rel === 1 || rel === 3 || rel === 4 || rel === 7) p += 4; // ordered index + channel
    if ((flags & 0x10) !== 0) p += 10; // split count, id, index
    p += bits >> 3;
  }
  return p === end;
}

/** ACK/NACK: number of records when they end exactly at the datagram's end, else 0. */
function ackRecords(b: Buffer, o: number, end: number): number {
  if (o + 3 > end) return 0;
  const count = be16(b, o + 1);
  if (count === 0 || count > 512) return 0;
  let p = o + 3;
  for (let i = 0; i < count; i++) {
    if (p >= end) return 0;
    if (b[p] === 0x00) p += 7;
    else if (b[p] === 0x01) p += 4;
    else return 0;
  }
  return p === end ? count : 0;
}

interface RakState {
  plausible: number;
  /** Last frame set sequence number per direction, -1 before the first. */
  lastSeq: [number, number];
}

const MAX_SEQ_GAP = 64;

export const dissector: Dissector = {
  id: P.RakNet,
  on: On.Udp,
  budget: 6,
  udpFirstPacket: { short: [[0x80, 0x8d], 0xa0, 0xc0] }, // frame sets from 8 bytes and ACK/NACK from 7 wait or match; offline messages need the 16-byte magic
  fields: [],
  doc: 'RakNet: offline messages with the OFFLINE_MESSAGE_DATA_ID magic, or connected frame sets/ACKs that walk exactly to the datagram end (wiki.vg RakNet protocol).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.len < 7) return Verdict.Exclude;
    if (hasOfflineMagic(b, o, end)) return Verdict.Done;
    const id = b[o];
    let plausible = false;
    let seq = -1;
    if (id >= 0x80 && id <= 0x8d) {
      plausible = frameSetFits(b, o, end);
      seq = b[o + 1] | (b[o + 2] << 8) | (b[o + 3] << 16);
    } else if (id === 0xc0 || id === 0xa0) {
      const records = ackRecords(b, o, end);
      if (records >= 2) return Verdict.Done;
      plausible = records === 1;
    } else if (id === 0x1c) {
      plausible = ctx.len >= 35 && be16(b, o + 33) > 0 && be16(b, o + 33) + 35 === ctx.len;
    }
    if (!plausible) return Verdict.Exclude;
    let st = ctx.state as RakState | undefined;
    if (st === undefined) {
      st = { plausible: 0, lastSeq: [-1, -1] };
      ctx.state = st;
    }
    if (seq >= 0) {
      const last = st.lastSeq[ctx.dir];
      st.lastSeq[ctx.dir] = seq;
      if (last >= 0 && ((seq - last) & 0xffffff) > MAX_SEQ_GAP) return Verdict.Exclude;
    }
    st.plausible++;
    return st.plausible >= 2 ? Verdict.Done : Verdict.Continue;
  },
};
