/**
 * TRDP, the Train Real-time Data Protocol (IEC 61375-2-3, Annex A): process
 * data (UDP 17224) and message data (UDP/TCP 17225) headers start with a
 * 32-bit sequence counter, protocol version 1.x (0x01nn), a message type of
 * two ASCII letters (process data "Pd", "Pp", "Pr", "Pe"; message data
 * "Mn", "Mr", "Mp", "Mq", "Mc", "Me"), ComId, ETB and operational train
 * topology counters and the dataset length. The header (40 bytes for
 * process data, 116 for message data) plus the dataset must fit the payload.
 * Ignores: header/data FCS values, dataset contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, FirstPacket, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

/** Protocol version 1.x, a known message type (the checks of dissect()), a full process data header. */
const TRDP_FIRST: FirstPacket = { minLen: 40, bytes: [[4, [1]], [6, [0x4d, 0x50]], [7, [0x63, 0x64, 0x65, 0x6e, 0x70, 0x71, 0x72]]], short: [] };

export const dissector: Dissector = {
  id: P.TRDP,
  on: On.TcpUdp,
  tcpPorts: [17225],
  udpPorts: [17224, 17225],
  budget: 2,
  tcpFirstPacket: TRDP_FIRST,
  udpFirstPacket: TRDP_FIRST,
  fields: [],
  doc: 'TRDP process/message data header: protocol version 1.x, message type Pd/Pp/Pr/Pe/Mn/Mr/Mp/Mq/Mc/Me, dataset length fitting the payload.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 40 || b[o + 4] !== 1) return Verdict.Exclude;
    const t0 = b[o + 6];
    const t1 = b[o + 7];
    let hdr: number;
    if (t0 === 0x50 && (t1 === 0x64 || t1 === 0x70 || t1 === 0x72 || t1 === 0x65)) hdr = 40;
    else if (t0 === 0x4d && (t1 === 0x6e || t1 === 0x72 || t1 === 0x70 || t1 === 0x71 || t1 === 0x63 || t1 === 0x65)) hdr = 116;
    else return Verdict.Exclude;
    const dlen = be32(b, o + 20);
    if (hdr + dlen > n) return Verdict.Exclude;
    return Verdict.Done;
  },
};
