/**
 * VNC / RFB (RFC 6143 section 7.1.1, ProtocolVersion handshake): the server
 * opens with the 12-byte "RFB xxx.yyy\n" (three-digit major and minor
 * version, e.g. "RFB 003.008\n") and the client answers with the same form.
 * Either message identifies the flow. Raises Desktop/File Sharing.
 * Ignores: security negotiation and the framebuffer protocol.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

function digits(b: Buffer, p: number): boolean {
  return b[p] >= 0x30 && b[p] <= 0x39 && b[p + 1] >= 0x30 && b[p + 1] <= 0x39 && b[p + 2] >= 0x30 && b[p + 2] <= 0x39;
}

export const dissector: Dissector = {
  id: P.VNC,
  on: On.Tcp,
  tcpPorts: [5900, 5901, 5800],
  budget: 2,
  tcpFirstBytes: [0x52], // 'R'FB (the message is 12 bytes: longer first segments are excluded anyway)
  tcpFirstPacket: { short: [0x52] }, // the 12-byte message
  fields: [],
  doc: 'RFB ProtocolVersion message "RFB 003.008\\n" (RFC 6143 7.1.1). Raises Desktop/File Sharing.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len !== 12 || b[o] !== 0x52 || b[o + 1] !== 0x46 || b[o + 2] !== 0x42 || b[o + 3] !== 0x20 ||
        !digits(b, o + 4) || b[o + 7] !== 0x2e || !digits(b, o + 8) || b[o + 11] !== 0x0a) return Verdict.Exclude;
    ctx.risk(Risk.Desktop_File_Sharing, 'Found VNC');
    return Verdict.Done;
  },
};
