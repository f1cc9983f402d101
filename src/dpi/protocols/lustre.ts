/**
 * Lustre LNet over TCP (socklnd; Lustre source lnet/include/uapi
 * lnet-idl.h): a connection opens with the acceptor request (magic
 * 0xACCE7100 little-endian, acceptor protocol version 1, then the NID the
 * client wants to reach: IPv4 address of the server and network type) and
 * the socklnd HELLO (magic 0x45726963, version, source NID, destination
 * NID). The NIDs must name this flow's addresses. Flows joined later are
 * recognised from a KSOCK_MSG_LNET (type 0xC1) whose LNet header names the
 * packet's destination address and whose payload length covers the rest of
 * the segment (96-byte headers).
 * Ignores: the Lustre RPCs (ptlrpc) inside, IPv6 (not supported by LNet).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

const ACCEPTOR_MAGIC = 0xacce7100;
const HELLO_MAGIC = 0x45726963;

export const dissector: Dissector = {
  id: P.Lustre,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x00, 0x63, 0xc1], // little-endian magics 0xACCE7100, 0x45726963, KSOCK_MSG_LNET 0xC1
  tcpFirstPacket: { short: [] }, // at least 16 bytes
  fields: [],
  doc: 'Lustre LNet socklnd: acceptor request (0xACCE7100) or HELLO (0x45726963) naming the flow\'s addresses, or a KSOCK LNet message (0xC1) with a consistent length.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (ctx.ipVersion !== 4 || n < 16) return Verdict.Exclude;
    const dst = ctx.dstAddr[ctx.dstAddrOff] | 0;
    const src = ctx.srcAddr[ctx.srcAddrOff] | 0;
    const magic = le32(b, o);
    if (magic === ACCEPTOR_MAGIC) return le32(b, o + 4) === 1 && (le32(b, o + 8) | 0) === dst ? Verdict.Done : Verdict.Exclude;
    if (magic === HELLO_MAGIC) {
      if (n < 24) return Verdict.Exclude;
      return (le32(b, o + 8) | 0) === src && (le32(b, o + 16) | 0) === dst ? Verdict.Done : Verdict.Exclude;
    }
    if (magic === 0xc1 && n >= 96 && (le32(b, o + 24) | 0) === dst && le32(b, o + 52) === n - 96) return Verdict.Done;
    return Verdict.Exclude;
  },
};
