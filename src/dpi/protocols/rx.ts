/**
 * RX, the remote procedure call transport of AFS (rx-spec, web.mit.edu
 * kolya/afs/rx/rx-spec; Wireshark packet-rx.c): UDP datagrams with a 28-byte
 * header: epoch (4), connection id (4), call number (4), sequence (4),
 * serial (4), type (1: DATA 1 .. VERSION 13), flags (1: CLIENT_INITIATED 1,
 * REQUEST_ACK 2, LAST_PACKET 4, MORE_PACKETS 8, SLOW_START_OK 32 ...),
 * user status (1), security index (1: 0 none, 1 rxkad-old, 2 rxkad, 3 rxgk),
 * checksum (2), service id (2). Recognised when a valid header in each
 * direction names the same connection (epoch and connection id).
 * Ignores: the RPC payloads (AFS fileserver, vldb, ptserver calls).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const HEADER = 28;
const TYPE_MAX = 13;
const FLAGS_KNOWN = 0x01 | 0x02 | 0x04 | 0x08 | 0x20;
const SECURITY_MAX = 3;

interface RxState {
  epoch: number;
  cid: number;
  dir: number;
}

function validHeader(b: Buffer, o: number, n: number): boolean {
  if (n < HEADER) return false;
  const type = b[o + 20];
  const flags = b[o + 21];
  return type >= 1 && type <= TYPE_MAX && (flags & ~FLAGS_KNOWN) === 0 && b[o + 23] <= SECURITY_MAX;
}

export const dissector: Dissector = {
  id: P.RX,
  on: On.Udp,
  budget: 6,
  udpFirstPacket: { minLen: HEADER, short: [] },
  fields: [],
  doc: 'AFS RX: 28-byte RX headers (type 1-13, known flags, security index 0-3) in both directions naming the same epoch and connection id.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (!validHeader(b, o, ctx.len)) return Verdict.Exclude;
    const epoch = be32(b, o);
    const cid = be32(b, o + 4) & 0xfffffffc; // the low bits are the channel
    const st = ctx.state as RxState | undefined;
    if (st === undefined) {
      ctx.state = { epoch, cid, dir: ctx.dir };
      return Verdict.Continue;
    }
    if (st.dir === ctx.dir) return Verdict.Continue;
    return st.epoch === epoch && st.cid === cid ? Verdict.Done : Verdict.Exclude;
  },
};
