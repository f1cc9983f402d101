/**
 * HSRP, Cisco Hot Standby Router Protocol: version 1 (RFC 2281 5: 20-byte
 * message, version 0, op code 0..2 Hello/Coup/Resign, state 0/1/2/4/8/16,
 * reserved byte 0, 8-byte authentication data, virtual IPv4 address) and
 * version 2 (TLVs; the Group State TLV, type 1 length 40, carries version 2,
 * op code, state 0..6 and IP version 4 or 6). HSRP runs only between
 * routers on UDP port 1985 (IPv6: 2029), so one of those ports is required.
 * Ignores: authentication and interface-state TLVs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

function v1(buf: Buffer, off: number, len: number): boolean {
  if (len < 20 || buf[off] !== 0 || buf[off + 1] > 2 || buf[off + 7] !== 0) return false;
  const s = buf[off + 2];
  return s === 0 || s === 1 || s === 2 || s === 4 || s === 8 || s === 16;
}

function v2(buf: Buffer, off: number, len: number): boolean {
  if (len < 42 || buf[off] !== 1 || buf[off + 1] !== 40) return false;
  return buf[off + 2] === 2 && buf[off + 3] <= 2 && buf[off + 4] <= 6 && (buf[off + 5] === 4 || buf[off + 5] === 6);
}

export const dissector: Dissector = {
  id: P.HSRP,
  on: On.Udp,
  udpPorts: [1985, 2029],
  budget: 1,
  udpFirstBytes: [0x00, 0x01], // v1 version 0, v2 Group State TLV type 1
  udpFirstPacket: { short: [] }, // v1 is 20 bytes, v2 42
  fields: [],
  doc: 'HSRP v1 (RFC 2281) and v2 (Group State TLV) messages on UDP 1985/2029.',
  dissect(ctx: DissectContext): Verdict {
    const sp = ctx.serverPort;
    const cp = ctx.clientPort;
    if (sp !== 1985 && sp !== 2029 && cp !== 1985 && cp !== 2029) return Verdict.Exclude;
    if (!v1(ctx.buf, ctx.off, ctx.len) && !v2(ctx.buf, ctx.off, ctx.len)) return Verdict.Exclude;
    ctx.detect(P.HSRP);
    return Verdict.Done;
  },
};
