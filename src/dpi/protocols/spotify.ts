/**
 * Spotify LAN discovery: Spotify desktop clients broadcast UDP datagrams on
 * port 57621 that start with the ASCII magic "SpotUdp0" followed by a
 * binary body (client id and capabilities). Recognised from the magic.
 * Ignores: the body; Spotify's TCP/TLS traffic is named from host names.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const MAGIC = ascii('SpotUdp0');

export const dissector: Dissector = {
  id: P.Spotify,
  on: On.Udp,
  budget: 1,
  udpFirstBytes: [0x53], // 'S'potUdp0
  udpFirstPacket: { bytes: [[1, [0x70]], [2, [0x6f]], [3, [0x74]], [4, [0x55]], [5, [0x64]], [6, [0x70]], [7, [0x30]]], short: [0x53] }, // "potUdp0"; 12 bytes and more
  fields: [],
  doc: 'Spotify LAN discovery: UDP datagrams starting with "SpotUdp0".',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.len < MAGIC.length + 4) return Verdict.Exclude;
    return startsWith(ctx.buf, ctx.off, ctx.off + ctx.len, MAGIC) ? Verdict.Done : Verdict.Exclude;
  },
};
