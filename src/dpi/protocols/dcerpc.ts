/**
 * DCE/RPC (The Open Group C706, chapter 12 "RPC PDU Encodings").
 * Connection-oriented (TCP): rpc_vers 5, minor 0/1, PDU type 0..19, a
 * data representation label (integer order 0x10 little / 0x00 big endian,
 * ASCII/EBCDIC and IEEE/VAX/Cray/IBM float codes), frag_length equal to the
 * segment (or, for a PDU spanning segments, a full-sized segment), and for
 * bind/alter_context the max fragment sizes and a context list.
 * Connectionless (UDP): rpc_vers 4, PDU type 0..10, the 80-byte header with
 * the body length (in the sender's byte order) equal to the rest of the
 * datagram.
 * A connectionless call to a PROFINET IO interface (interface UUID
 * DEA0000x-6C97-11D1-8271-00A02442DF7D: device, controller, supervisor,
 * parameter server) is labelled DCERPC.PROFINET_IO.
 * Ignores: stub data, authentication verifiers, interfaces other than
 * PROFINET IO.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32, le16, le32 } from '../bytes';

const PNIO_NODE = Uint8Array.from([0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d]);

function drepOk(b: Buffer, p: number): boolean {
  return (b[p] & 0xee) === 0 && b[p + 1] <= 3;
}

function connectionOriented(b: Buffer, o: number, n: number): boolean {
  if (n < 16 || b[o] !== 5 || b[o + 1] > 1 || b[o + 2] > 19 || !drepOk(b, o + 4)) return false;
  const le = (b[o + 4] & 0x10) !== 0;
  const frag = le ? le16(b, o + 8) : be16(b, o + 8);
  const auth = le ? le16(b, o + 10) : be16(b, o + 10);
  if (frag < 16 || auth + 16 > frag) return false;
  if (frag !== n && !(frag > n && n >= 1024)) return false;
  const type = b[o + 2];
  if (type === 11 || type === 14) {
    // bind / alter_context: max_xmit_frag, max_recv_frag, assoc_group, p_context_elem count.
    if (n < 28) return false;
    const xmit = le ? le16(b, o + 16) : be16(b, o + 16);
    const ctxs = b[o + 24];
    return xmit >= 16 && ctxs >= 1;
  }
  return true;
}

/** 0 not DCE/RPC CL, 1 DCE/RPC CL, 2 PROFINET IO. */
function connectionless(b: Buffer, o: number, n: number): number {
  if (n < 80 || b[o] !== 4 || b[o + 1] > 10 || !drepOk(b, o + 4)) return 0;
  const le = (b[o + 4] & 0x10) !== 0;
  const blen = le ? le16(b, o + 74) : be16(b, o + 74);
  if (blen + 80 !== n) return 0;
  // Interface UUID at 24: data1 (4), data2 (2), data3 (2) in the sender's order, then 8 bytes as is.
  const d1 = le ? le32(b, o + 24) : be32(b, o + 24);
  const d2 = le ? le16(b, o + 28) : be16(b, o + 28);
  const d3 = le ? le16(b, o + 30) : be16(b, o + 30);
  if (((d1 & 0xfffffff0) >>> 0) === 0xdea00000 && (d1 & 0xf) >= 1 && (d1 & 0xf) <= 4 && d2 === 0x6c97 && d3 === 0x11d1) {
    let k = 0;
    while (k < 8 && b[o + 32 + k] === PNIO_NODE[k]) k++;
    if (k === 8) return 2;
  }
  return 1;
}

export const dissector: Dissector = {
  id: P.DCERPC,
  alsoDetects: [P.PROFINET_IO],
  on: On.TcpUdp,
  tcpPorts: [135],
  udpPorts: [135],
  budget: 2,
  tcpFirstBytes: [0x05], // version 5 (connection-oriented)
  udpFirstBytes: [0x04], // version 4 (connectionless)
  tcpFirstPacket: { short: [] }, // the header alone is 16 bytes
  udpFirstPacket: { short: [] }, // the header alone is 80 bytes
  fields: [],
  doc: 'DCE/RPC connection-oriented (v5) and connectionless (v4) PDU headers with consistent lengths; PROFINET IO interface UUIDs give DCERPC.PROFINET_IO.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.l4 === 6) return connectionOriented(b, o, n) ? Verdict.Done : Verdict.Exclude;
    const r = connectionless(b, o, n);
    if (r === 0) return Verdict.Exclude;
    if (r === 2) ctx.detect(P.PROFINET_IO, P.DCERPC);
    return Verdict.Done;
  },
};
