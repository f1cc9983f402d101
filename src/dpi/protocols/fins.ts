/**
 * Omron FINS (FINS Commands Reference Manual W227; FINS/TCP in the
 * CJ-series Ethernet Unit manual W421).
 * UDP: the 10-byte FINS header: ICF (bit 7 gateway, bit 6 response, bit 0
 * no response required; other bits 0), RSV 0, GCT (gateway count, <= 7),
 * destination and source network/node/unit, SID, then the command code
 * (MRC 0x01..0x28, SRC) — responses add a 2-byte end code.
 * TCP: "FINS" + 32-bit length (bytes after it, equal to the segment) +
 * command 0..3 (node address send/receive, frame send, frame send error) +
 * error code; frame-send commands carry a FINS header as above.
 * Ignores: command parameters and memory area contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be32, startsWith } from '../bytes';

const FINS = ascii('FINS');

function finsHeader(b: Buffer, p: number, end: number): boolean {
  if (p + 12 > end) return false;
  const icf = b[p];
  if ((icf & 0x3e) !== 0 || (icf & 0x80) === 0 || b[p + 1] !== 0 || b[p + 2] > 7) return false;
  const mrc = b[p + 10];
  return mrc >= 0x01 && mrc <= 0x28;
}

export const dissector: Dissector = {
  id: P.FINS,
  on: On.TcpUdp,
  tcpPorts: [9600],
  udpPorts: [9600],
  budget: 2,
  tcpFirstBytes: [0x46], // 'F'INS
  udpFirstBytes: [0x80, 0x81, 0xc0, 0xc1], // ICF: gateway bit set, response and no-response bits
  tcpFirstPacket: { short: [] }, // the FINS/TCP header alone is 16 bytes
  udpFirstPacket: { short: [0x80, 0x81, 0xc0, 0xc1] }, // a 12-byte FINS header
  fields: [],
  doc: 'Omron FINS: UDP FINS header (ICF/RSV/GCT, command code 0x01..0x28) or FINS/TCP "FINS" framing with length equal to the segment.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const end = o + n;
    if (ctx.l4 === 17) return finsHeader(b, o, end) ? Verdict.Done : Verdict.Exclude;
    if (n < 16 || !startsWith(b, o, end, FINS) || be32(b, o + 4) + 8 !== n) return Verdict.Exclude;
    const cmd = be32(b, o + 8);
    if (cmd > 3) return Verdict.Exclude;
    if (cmd === 2 && !finsHeader(b, o + 16, end)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
