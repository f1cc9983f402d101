/**
 * IEEE C37.118.2 synchrophasor frames (IEEE Std C37.118.2-2011, 6.2 "Frame
 * structure"): SYNC (0xAA, then frame type in bits 6..4: 0 data, 1 header,
 * 2 CFG-1, 3 CFG-2, 4 command, 5 CFG-3; version 1..3 in bits 3..0),
 * 16-bit FRAMESIZE equal to the segment/datagram, IDCODE, SOC, FRACSEC, and
 * a closing CRC-CCITT (polynomial 0x1021, initial 0xFFFF) over the frame,
 * which must verify.
 * Ignores: the phasor/analog/digital values and configuration contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function crcCcitt(b: Buffer, p: number, n: number): number {
  let crc = 0xffff;
  for (let i = p; i < p + n; i++) {
    crc ^= b[i] << 8;
    for (let k = 0; k < 8; k++) crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export const dissector: Dissector = {
  id: P.IEEE_C37118,
  on: On.TcpUdp,
  tcpPorts: [4712],
  udpPorts: [4713],
  budget: 2,
  tcpFirstBytes: [0xaa], // SYNC
  udpFirstBytes: [0xaa],
  tcpFirstPacket: { short: [] }, // at least 16 bytes
  udpFirstPacket: { short: [] },
  fields: [],
  doc: 'IEEE C37.118.2 frame: SYNC 0xAA with frame type 0..5 and version 1..3, FRAMESIZE equal to the payload, valid CRC-CCITT.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 16 || b[o] !== 0xaa) return Verdict.Exclude;
    const s = b[o + 1];
    const type = (s >> 4) & 7;
    const ver = s & 0x0f;
    if ((s & 0x80) !== 0 || type > 5 || ver < 1 || ver > 3 || be16(b, o + 2) !== n) return Verdict.Exclude;
    return crcCcitt(b, o, n - 2) === be16(b, o + n - 2) ? Verdict.Done : Verdict.Exclude;
  },
};
