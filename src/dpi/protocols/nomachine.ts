/**
 * NoMachine NX. TCP: the connection starts with a short text handshake, the
 * client's "NXSH-<version>\n" and the server's "NXD-<version>\n" (e.g.
 * "NXSH-8.10.1\n"), before TLS. UDP (multimedia channel): datagrams with a
 * little-endian header whose 16-bit field at offset 2 is 1, whose 16-bit
 * length at offset 4 equals the datagram length and whose bytes 8..9 are
 * zero; two such datagrams are required.
 * Raises Desktop/File Sharing. Ignores: the TLS session and the UDP payloads.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, le16, startsWith } from '../bytes';

const NXSH = ascii('NXSH-');
const NXD = ascii('NXD-');

function versionLine(b: Buffer, p: number, end: number): boolean {
  if (b[end - 1] !== 0x0a || p >= end - 1) return false;
  for (let i = p; i < end - 1; i++) {
    const c = b[i];
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e)) return false;
  }
  return b[p] >= 0x30 && b[p] <= 0x39;
}

export const dissector: Dissector = {
  id: P.NoMachine,
  on: On.TcpUdp,
  tcpPorts: [4000],
  udpPorts: [4000],
  budget: 4,
  tcpFirstBytes: [0x4e], // 'N'XSH-, 'N'XD-
  tcpFirstPacket: { short: [0x4e] }, // e.g. "NXD-1\n" (UDP: any first byte, 10-15 byte datagrams qualify)
  udpFirstPacket: { minLen: 10, bytes: [[2, [1]], [3, [0]], [8, [0]], [9, [0]]] },
  fields: [],
  doc: 'NoMachine NX: "NXSH-<version>\\n" / "NXD-<version>\\n" TCP handshake, or UDP datagrams with the NX length header. Raises Desktop/File Sharing.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    const end = o + n;
    if (ctx.l4 === 6) {
      if (n > 32 || !((startsWith(b, o, end, NXSH) && versionLine(b, o + 5, end)) || (startsWith(b, o, end, NXD) && versionLine(b, o + 4, end)))) {
        return Verdict.Exclude;
      }
    } else {
      if (n < 10 || le16(b, o + 2) !== 1 || le16(b, o + 4) !== n || b[o + 8] !== 0 || b[o + 9] !== 0) return Verdict.Exclude;
      if (ctx.state === undefined) {
        ctx.state = 1;
        return Verdict.Continue;
      }
    }
    ctx.risk(Risk.Desktop_File_Sharing, 'Found NoMachine');
    return Verdict.Done;
  },
};
