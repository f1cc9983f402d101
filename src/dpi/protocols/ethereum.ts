/**
 * Ethereum devp2p (github.com/ethereum/devp2p):
 *  - RLPx handshake over TCP (rlpx.md): the EIP-8 auth and ack messages are
 *    a 2-byte big-endian size prefix followed by an ECIES blob that starts
 *    with the sender's ephemeral public key in uncompressed form (0x04); the
 *    pre-EIP-8 messages are fixed-size ECIES blobs (auth 307 bytes, ack 210
 *    bytes) starting with 0x04. Both the initiator's auth and the
 *    recipient's ack must be seen;
 *  - Node Discovery v4 over UDP (discv4.md): hash (32) || signature (65, the
 *    last byte the recovery id 0 or 1) || packet type (1-6) || RLP list that
 *    fills the rest of the datagram exactly.
 * Ignores: the hash and signature themselves (not verified), Discovery v5
 * (masked headers), everything after the handshake (encrypted frames).
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** Smallest EIP-8 handshake message: prefix + ECIES overhead (65 + 16 + 32) + some RLP body. */
const MIN_EIP8 = 2 + 113 + 64;
const LEGACY_AUTH = 307;
const LEGACY_ACK = 210;

/** The size of an RLP list whose header starts at buf[p] (header included), or -1. */
function rlpListSize(buf: Buffer, p: number, end: number): number {
  const b = buf[p];
  if (b < 0xc0) return -1;
  if (b <= 0xf7) return 1 + (b - 0xc0);
  const n = b - 0xf7;
  if (p + 1 + n > end || n > 3) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = (len << 8) | buf[p + 1 + i];
  return 1 + n + len;
}

function discv4(buf: Buffer, off: number, len: number): boolean {
  if (len < 98 + 2 || len > 1280) return false;
  const recovery = buf[off + 96];
  const type = buf[off + 97];
  if (recovery > 1 || type < 1 || type > 6) return false;
  return rlpListSize(buf, off + 98, off + len) === len - 98;
}

/** 1: EIP-8 handshake message, 2: legacy one, 0: neither. */
function handshakeKind(buf: Buffer, off: number, len: number, dir: Dir): number {
  if (len >= MIN_EIP8 && be16(buf, off) + 2 === len && buf[off + 2] === 0x04) return 1;
  if (buf[off] === 0x04 && len === (dir === Dir.C2S ? LEGACY_AUTH : LEGACY_ACK)) return 2;
  return 0;
}

export const dissector: Dissector = {
  id: P.ETHEREUM,
  on: On.TcpUdp,
  tcpPorts: [30303],
  budget: 4,
  tcpFirstPacket: { minLen: MIN_EIP8, short: [] },
  udpFirstPacket: { minLen: 100, maxLen: 1280, short: [] },
  fields: [],
  doc: 'Ethereum devp2p: RLPx auth/ack handshake (EIP-8 and legacy) over TCP, Node Discovery v4 packets over UDP.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    if (ctx.l4 === 17) {
      if (discv4(buf, off, len)) {
        ctx.detect(P.ETHEREUM);
        return Verdict.Done;
      }
      return Verdict.Exclude;
    }
    if (ctx.dirIndex !== 0 || handshakeKind(buf, off, len, ctx.dir) === 0) return Verdict.Exclude;
    ctx.detect(P.ETHEREUM);
    return Verdict.Done;
  },
};
