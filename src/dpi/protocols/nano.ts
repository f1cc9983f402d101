/**
 * Nano (cryptocurrency) node protocol (docs.nano.org "Node protocol",
 * message header): every message starts with an 8-byte header: magic 'R',
 * network id ('A' test, 'B' beta, 'C' live, 'X' dev), maximum, used and
 * minimum protocol versions, message type (keepalive 0x02 ... asc_pull_ack
 * 0x0f) and a 16-bit extensions field. Recognised from the magic, a known
 * network, versions ordered min <= using <= max within the range released
 * nodes use, and a known message type.
 * Ignores: message bodies (blocks, votes, handshake cookies).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const MIN_VERSION = 0x10;
const MAX_VERSION = 0x20;

export const dissector: Dissector = {
  id: P.Nano,
  on: On.TcpUdp,
  tcpPorts: [7075],
  budget: 2,
  tcpFirstBytes: [0x52], // 'R' magic
  udpFirstBytes: [0x52],
  tcpFirstPacket: { short: [0x52] }, // the 8-byte header
  udpFirstPacket: { short: [0x52] },
  fields: [],
  doc: 'Nano node protocol: the 8-byte message header (\'R\', network A/B/C/X, ordered protocol versions, message type 2-15).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 8 || b[o] !== 0x52) return Verdict.Exclude;
    const net = b[o + 1];
    if (net !== 0x41 && net !== 0x42 && net !== 0x43 && net !== 0x58) return Verdict.Exclude;
    const max = b[o + 2];
    const using = b[o + 3];
    const min = b[o + 4];
    const type = b[o + 5];
    if (min < MIN_VERSION || max > MAX_VERSION || min > using || using > max) return Verdict.Exclude;
    return type >= 0x02 && type <= 0x0f ? Verdict.Done : Verdict.Exclude;
  },
};
