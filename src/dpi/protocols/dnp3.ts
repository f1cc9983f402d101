/**
 * DNP3 over TCP/UDP (IEEE 1815-2012, clause 9.2 data link frame): start
 * bytes 0x05 0x64, length (5..255: control, destination, source and user
 * data, CRCs not counted), control, destination and source addresses
 * (little-endian), and the header CRC (CRC-16/DNP: polynomial 0x3D65
 * reflected, initial 0, complemented) over those 8 bytes. A segment whose
 * first frame header carries a valid CRC identifies the flow.
 * Ignores: transport/application layers, user data block CRCs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

function crcDnp(b: Buffer, p: number, n: number): number {
  let crc = 0;
  for (let i = p; i < p + n; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b[i]) & 0xff];
  return ~crc & 0xffff;
}

export const dissector: Dissector = {
  id: P.DNP3,
  on: On.TcpUdp,
  tcpPorts: [20000],
  budget: 4,
  tcpFirstBytes: [0x05], // start 0x05 0x64
  udpFirstBytes: [0x05],
  tcpFirstPacket: { short: [0x05] }, // the 10-byte header
  udpFirstPacket: { short: [0x05] },
  fields: [],
  doc: 'DNP3 data link header (0x05 0x64, length >= 5, header CRC-16/DNP valid).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len < 10 || b[o] !== 0x05 || b[o + 1] !== 0x64) return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
    if (b[o + 2] < 5 || crcDnp(b, o, 8) !== (b[o + 8] | (b[o + 9] << 8))) return Verdict.Exclude;
    return Verdict.Done;
  },
};
