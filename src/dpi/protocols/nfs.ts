/**
 * NFS and its companion ONC RPC services (RFC 5531 ONC RPC v2; RFC 1813
 * NFSv3, RFC 7530 NFSv4, RFC 1833 portmapper): an RPC CALL (xid, message
 * type 0, RPC version 2, program, program version, procedure, credential
 * and verifier with a known auth flavor: 0 none, 1 sys, 2 short, 3 DH, 6
 * RPCSEC_GSS, and a body of at most 400 bytes) to one of the NFS family of
 * programs: 100000 portmapper, 100003 NFS, 100005 mount, 100021 NLM, 100024
 * NSM status, 100227 NFS ACL. Over TCP the call follows a 4-byte record mark
 * (last-fragment bit and fragment length).
 * Ignores: replies (a flow whose call was not captured stays unlabelled),
 * procedure arguments and results, other RPC programs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

function nfsProgram(p: number): boolean {
  return p === 100000 || p === 100003 || p === 100005 || p === 100021 || p === 100024 || p === 100227;
}

function authOk(b: Buffer, p: number, end: number): number {
  if (p + 8 > end) return -1;
  const flavor = be32(b, p);
  const len = be32(b, p + 4);
  if (!(flavor <= 3 || flavor === 6) || len > 400 || (len & 3) !== 0) return -1;
  return p + 8 + len;
}

/** The xid of an RPC call to an NFS-family program at buf[p, end), or -1. */
function call(b: Buffer, p: number, end: number): number {
  if (p + 40 > end || be32(b, p + 4) !== 0 || be32(b, p + 8) !== 2 || !nfsProgram(be32(b, p + 12))) return -1;
  if (be32(b, p + 16) > 10 || be32(b, p + 20) > 100) return -1;
  const v = authOk(b, p + 24, end);
  if (v < 0 || authOk(b, v, end) < 0) return -1;
  return be32(b, p);
}

export const dissector: Dissector = {
  id: P.NFS,
  on: On.TcpUdp,
  tcpPorts: [2049],
  udpPorts: [2049],
  budget: 4,
  tcpFirstBytes: [[0x80, 0xff]], // record mark with the last-fragment bit
  // Call (0), RPC version 2, program 100000-100227: at offset 4 behind the TCP record mark.
  tcpFirstPacket: { minLen: 44, bytes: [[8, [0]], [9, [0]], [10, [0]], [11, [0]], [12, [0]], [13, [0]], [14, [0]], [15, [2]]], short: [] },
  udpFirstPacket: {
    minLen: 40,
    bytes: [[4, [0]], [5, [0]], [6, [0]], [7, [0]], [8, [0]], [9, [0]], [10, [0]], [11, [2]], [12, [0]], [13, [1]], [14, [0x86, 0x87]],
      [15, [0x83, 0xa0, 0xa3, 0xa5, 0xb5, 0xb8]]],
    short: [], // the call is at least 40 bytes
  },
  fields: [],
  doc: 'ONC RPC call (RPC v2, known auth flavors) to NFS, mount, portmapper, NLM, NSM or NFS ACL programs (TCP record marking).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    if (ctx.l4 === 6) {
      // Record mark: last-fragment bit and a fragment length covering at least the segment.
      if (ctx.len < 44 || (b[p] & 0x80) === 0 || (be32(b, p) & 0x7fffffff) + 4 < ctx.len) return Verdict.Exclude;
      p += 4;
    }
    return call(b, p, end) >= 0 ? Verdict.Done : Verdict.Exclude;
  },
};
