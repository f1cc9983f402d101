/**
 * Raft RPCs as carried by the canonical C raft library's TCP transport
 * (libraft uv_encoding, used by dqlite/LXD): all integers are 64-bit
 * little-endian. A connection opens with a handshake: protocol version 1,
 * the sender's server id (non-zero), the length of its address (a multiple
 * of 8) and the NUL-padded "host:port" address. Messages are a header (type
 * 1 AppendEntries, 2 AppendEntries result, 3 RequestVote, 4 RequestVote
 * result, 5 InstallSnapshot, 6 TimeoutNow; then the body length) and a body
 * of that length. The handshake identifies the flow; without it, two
 * consecutive messages whose lengths cover their segments exactly do.
 * Ignores: message bodies, other Raft implementations (etcd, HashiCorp)
 * which use gRPC or msgpack framing.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

/** 64-bit little-endian value when it fits in 32 bits, else -1. */
function u64(b: Buffer, p: number): number {
  return le32(b, p + 4) === 0 ? le32(b, p) : -1;
}

function handshake(b: Buffer, o: number, n: number): boolean {
  if (n < 32 || u64(b, o) !== 1) return false;
  const id = u64(b, o + 8);
  const alen = u64(b, o + 16);
  if (id <= 0 || alen < 8 || alen > 256 || (alen & 7) !== 0 || 24 + alen !== n) return false;
  let i = o + 24;
  const end = o + n;
  let colon = false;
  while (i < end && b[i] !== 0) {
    const c = b[i];
    if (c <= 0x20 || c > 0x7e) return false;
    if (c === 0x3a) colon = true;
    i++;
  }
  if (i === o + 24 || !colon) return false;
  while (i < end) if (b[i++] !== 0) return false;
  return true;
}

function message(b: Buffer, o: number, n: number): boolean {
  if (n < 24) return false;
  const type = u64(b, o);
  const len = u64(b, o + 8);
  return type >= 1 && type <= 6 && len >= 8 && len + 16 === n;
}

export const dissector: Dissector = {
  id: P.Raft,
  on: On.Tcp,
  budget: 4,
  tcpFirstBytes: [[0x01, 0x06]], // 64-bit LE handshake version 1, message type 1..6
  tcpFirstPacket: { short: [] }, // a message is 24 bytes and more, the handshake 32
  fields: [],
  doc: 'Canonical (C) Raft TCP transport: handshake (version 1, server id, padded "host:port" address) or two messages whose 64-bit type/length headers fit their segments.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.state === undefined && handshake(b, o, n)) return Verdict.Done;
    if (!message(b, o, n)) return Verdict.Exclude;
    if (ctx.state === undefined) {
      ctx.state = 1;
      return Verdict.Continue;
    }
    return Verdict.Done;
  },
};
