/**
 * IEC 62056 DLMS/COSEM over IP: either the HDLC-based profile carried over
 * TCP/UDP (IEC 62056-46: flag 0x7E, frame format type 0xA with an 11-bit
 * frame length counting everything between the flags, addresses, control,
 * frame check sequence CRC-16/X.25 over the frame, closing flag 0x7E) or the
 * IEC 62056-47 wrapper (version 1, source and destination wrapper ports,
 * 16-bit APDU length equal to the rest, APDU starting with an ACSE/xDLMS
 * tag: 0x60..0x63 AARQ/AARE/RLRQ/RLRE, 0xC0..0xC7 get/set/action/event,
 * 0xC8..0xDF glo-/ded-ciphered).
 * Ignores: the COSEM services and objects.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const X25_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

function crcX25(b: Buffer, p: number, n: number): number {
  let crc = 0xffff;
  for (let i = p; i < p + n; i++) crc = (crc >>> 8) ^ X25_TABLE[(crc ^ b[i]) & 0xff];
  return ~crc & 0xffff;
}

function hdlc(b: Buffer, o: number, n: number): boolean {
  if (n < 9 || b[o] !== 0x7e || (b[o + 1] & 0xf0) !== 0xa0 || b[o + n - 1] !== 0x7e) return false;
  const flen = be16(b, o + 1) & 0x07ff;
  if (flen + 2 !== n) return false;
  const fcs = b[o + n - 3] | (b[o + n - 2] << 8);
  return crcX25(b, o + 1, n - 4) === fcs;
}

function wrapper(b: Buffer, o: number, n: number): boolean {
  if (n < 9 || be16(b, o) !== 1 || be16(b, o + 6) + 8 !== n) return false;
  const tag = b[o + 8];
  return (tag >= 0x60 && tag <= 0x63) || (tag >= 0xc0 && tag <= 0xdf);
}

export const dissector: Dissector = {
  id: P.IEC62056,
  on: On.TcpUdp,
  tcpPorts: [4059],
  udpPorts: [4059],
  budget: 2,
  // wrapper version 0x0001, HDLC flag 0x7e
  tcpFirstBytes: [0x00, 0x7e],
  udpFirstBytes: [0x00, 0x7e],
  tcpFirstPacket: { short: [0x00, 0x7e] }, // 9-byte HDLC frames and wrappers
  udpFirstPacket: { short: [0x00, 0x7e] },
  fields: [],
  doc: 'DLMS/COSEM: HDLC frame (0x7E, type 0xA, length, valid CRC-16/X.25) or IEC 62056-47 wrapper (version 1, exact length, ACSE/xDLMS tag).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    return hdlc(b, o, ctx.len) || wrapper(b, o, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
