/**
 * KNXnet/IP (ISO 22510 / KNX Standard 03.08.02 "Core"): every frame starts
 * with header length 0x06, protocol version 0x10, a service type identifier
 * (family 0x02 core 0x0201..0x020C, 0x03 device management 0x0310..0x0311,
 * 0x04 tunnelling 0x0420..0x0425, 0x05 routing 0x0530..0x0533, 0x07 remote
 * diagnosis 0x0740..0x0743, 0x09 security 0x0950..0x0955) and a total
 * length equal to the datagram; over TCP several frames may share a
 * segment and must tile it.
 * Ignores: the frame bodies (HPAI, CRI, cEMI).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function serviceOk(s: number): boolean {
  const f = s >> 8;
  const c = s & 0xff;
  switch (f) {
    case 0x02:
      return c >= 0x01 && c <= 0x0c;
    case 0x03:
      return c >= 0x10 && c <= 0x11;
    case 0x04:
      return c >= 0x20 && c <= 0x25;
    case 0x05:
      return c >= 0x30 && c <= 0x33;
    case 0x07:
      return c >= 0x40 && c <= 0x43;
    case 0x09:
      return c >= 0x50 && c <= 0x55;
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.KNXnet_IP,
  on: On.TcpUdp,
  tcpPorts: [3671],
  udpPorts: [3671],
  budget: 2,
  tcpFirstBytes: [0x06], // header length
  udpFirstBytes: [0x06],
  tcpFirstPacket: { short: [0x06] }, // a 6-byte header-only frame
  udpFirstPacket: { short: [0x06] },
  fields: [],
  doc: 'KNXnet/IP header (0x06 0x10, known service type, total length equal to the datagram or tiling the TCP segment).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    let count = 0;
    while (p < end) {
      if (p + 6 > end || b[p] !== 0x06 || b[p + 1] !== 0x10 || !serviceOk(be16(b, p + 2))) return Verdict.Exclude;
      const len = be16(b, p + 4);
      if (len < 6 || p + len > end) return Verdict.Exclude;
      p += len;
      count++;
      if (ctx.l4 === 17) break;
    }
    return p === end && count > 0 ? Verdict.Done : Verdict.Exclude;
  },
};
