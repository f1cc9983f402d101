/**
 * Remote Desktop Protocol.
 * TCP ([MS-RDPBCGR] 2.2.1.1/2.2.1.2): the client's X.224 Connection Request
 * inside TPKT (RFC 1006: version 3, reserved 0, length = segment): LI equal
 * to the rest of the segment, CR code 0xE0, destination reference 0, class 0,
 * then a routing token or "Cookie: mstshash=...\r\n" and/or an RDP_NEG_REQ
 * (type 1, length 8). A bare Connection Request is confirmed by the server's
 * Connection Confirm carrying RDP_NEG_RSP/RDP_NEG_FAILURE (type 2/3, length
 * 8), or by the client's first X.224 Data TPDU carrying an MCS
 * Connect-Initial (BER tag 0x7F65).
 * UDP ([MS-RDPEUDP] 2.2.2.1/2.2.2.5): the client's SYN datagram: snSourceAck
 * -1, RDPUDP_FLAG_SYN set, then snInitialSequenceNumber and upstream and
 * downstream MTUs in 1132..1232; a flow joined later is recognised from a
 * data datagram (ACK|DATA, ack vector, source payload header with snCoded
 * equal to snSourceStart) whose payload is TLS records tiling it exactly.
 * Raises Desktop/File Sharing. Ignores: everything after the connection
 * sequence (TLS/CredSSP), RDP-UDP FEC datagrams, RDP-UDP2.
 */
import { P, Risk } from '../generated/protocols';
import { Dir, byteValues, DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, be32, startsWith } from '../bytes';

const COOKIE = ascii('Cookie: ');

/** TPKT header covering the segment: returns the TPDU offset or -1. */
function tpkt(b: Buffer, o: number, n: number): number {
  if (n < 11 || b[o] !== 3 || b[o + 1] !== 0 || be16(b, o + 2) !== n) return -1;
  return o + 4;
}

/** 0 not a CR, 1 bare CR, 2 CR with RDP cookie or negotiation request. */
function connectionRequest(b: Buffer, o: number, n: number): number {
  const t = tpkt(b, o, n);
  if (t < 0 || b[t] !== n - 5 || b[t + 1] !== 0xe0 || be16(b, t + 2) !== 0 || b[t + 6] !== 0) return 0;
  let p = t + 7;
  const end = o + n;
  if (p === end) return 1;
  if (startsWith(b, p, end, COOKIE)) {
    while (p + 1 < end && !(b[p] === 13 && b[p + 1] === 10)) p++;
    if (p + 1 >= end) return 0;
    p += 2;
    if (p === end) return 2;
  }
  // RDP_NEG_REQ (or RDP_CORRELATION_INFO follows it).
  return p + 8 <= end && b[p] === 1 && b[p + 2] === 8 && b[p + 3] === 0 ? 2 : 0;
}

/** True for a Connection Confirm carrying RDP_NEG_RSP / RDP_NEG_FAILURE. */
function connectionConfirm(b: Buffer, o: number, n: number): boolean {
  const t = tpkt(b, o, n);
  if (t < 0 || b[t] !== n - 5 || b[t + 1] !== 0xd0 || n !== 19) return false;
  const p = t + 7;
  return (b[p] === 2 || b[p] === 3) && b[p + 2] === 8 && b[p + 3] === 0;
}

/** True for an X.224 Data TPDU whose user data starts an MCS Connect-Initial. */
function mcsConnectInitial(b: Buffer, o: number, n: number): boolean {
  const t = tpkt(b, o, n);
  return t >= 0 && b[t] === 2 && b[t + 1] === 0xf0 && b[t + 3] === 0x7f && b[t + 4] === 0x65;
}

/**
 * An RDP-UDP data datagram carrying TLS/DTLS (the reliable channel's TLS
 * handshake and records): FEC header with ACK|DATA and no SYN/FEC, ack
 * vector (padded to 4 bytes), optional ack-of-acks, source payload header
 * with snCoded == snSourceStart, then TLS records tiling the datagram.
 */
function udpTlsData(b: Buffer, o: number, n: number): boolean {
  const end = o + n;
  if (n < 28) return false;
  const flags = be16(b, o + 6);
  if ((flags & 0x000c) !== 0x000c || (flags & 0x0013) !== 0) return false;
  const ackSize = be16(b, o + 8);
  if (ackSize > 2048) return false;
  let p = o + 8 + ((2 + ackSize + 3) & ~3);
  if ((flags & 0x0100) !== 0) p += 4;
  if (p + 8 + 5 > end || be32(b, p) !== be32(b, p + 4)) return false;
  p += 8;
  let records = 0;
  while (p < end) {
    if (p + 5 > end) return false;
    const ct = b[p];
    const major = b[p + 1];
    if (ct < 20 || ct > 23 || (major !== 3 && major !== 0xfe)) return false;
    p += 5 + be16(b, p + 3);
    records++;
  }
  return p === end && records > 0;
}

function udpSyn(b: Buffer, o: number, n: number): boolean {
  if (n < 20 || be32(b, o) !== 0xffffffff || (be16(b, o + 6) & 0x0001) === 0) return false;
  const up = be16(b, o + 12);
  const down = be16(b, o + 14);
  return up >= 1132 && up <= 1232 && down >= 1132 && down <= 1232;
}

export const dissector: Dissector = {
  id: P.RDP,
  on: On.TcpUdp,
  tcpPorts: [3389],
  udpPorts: [3389],
  budget: 4,
  tcpFirstBytes: [0x03], // TPKT version 3
  tcpFirstPacket: { short: [0x03] }, // an 11-byte bare Connection Request waits for the confirm
  // RDP-UDP: a SYN (flag bit 0 set), or ACK|DATA without SYN, FEC, ... (flags' low byte & 0x1f = 0x0c).
  udpFirstPacket: { minLen: 20, bytes: [[7, byteValues((b) => (b & 1) === 1 || (b & 0x1f) === 0x0c)]], short: [] },
  fields: [],
  doc: 'RDP X.224 Connection Request (cookie / RDP_NEG_REQ) in TPKT, confirmed by RDP_NEG_RSP or an MCS Connect-Initial when bare; RDP-UDP SYN or TLS-carrying data datagram. Raises Desktop/File Sharing.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    let found = false;
    if (ctx.l4 === 17) {
      found = (ctx.flowIndex === 0 && udpSyn(b, o, n)) || udpTlsData(b, o, n);
      if (!found) return Verdict.Exclude;
    } else if (ctx.state === undefined) {
      if (ctx.flowIndex !== 0 || ctx.dir !== Dir.C2S) return Verdict.Exclude;
      const cr = connectionRequest(b, o, n);
      if (cr === 0) return Verdict.Exclude;
      if (cr === 1) {
        ctx.state = 1;
        return Verdict.Continue;
      }
      found = true;
    } else {
      found = ctx.dir === Dir.S2C ? connectionConfirm(b, o, n) : mcsConnectInitial(b, o, n);
      if (!found) {
        // A bare CC is neither proof nor disproof; anything else from the client is not RDP.
        const t = tpkt(b, o, n);
        if (ctx.dir === Dir.S2C && t >= 0 && b[t + 1] === 0xd0) return Verdict.Continue;
        return Verdict.Exclude;
      }
    }
    ctx.risk(Risk.Desktop_File_Sharing, 'Found RDP');
    return Verdict.Done;
  },
};
