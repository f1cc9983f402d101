/**
 * OPC UA binary (OPC 10000-6, 7.1.2 "Message header" and 7.1.2.3
 * Hello/Acknowledge): 3-byte message type, chunk type and a 32-bit
 * little-endian message size equal to the segment. A client Hello
 * ("HELF": protocol version, four buffer/size limits, endpoint URL as a
 * length-prefixed string starting "opc.", or null) or a server Acknowledge
 * ("ACKF", 28 bytes) identifies the flow; so does a reverse Hello ("RHEF").
 * Ignores: secure channel messages (OPN/MSG/CLO), their security, HTTPS/WS
 * transports.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

export const dissector: Dissector = {
  id: P.OPC_UA,
  on: On.Tcp,
  tcpPorts: [4840],
  budget: 2,
  tcpFirstBytes: [0x41, 0x48, 0x52], // 'A'CKF, 'H'ELF, 'R'HEF
  tcpFirstPacket: { short: [] }, // ACK is 28 bytes, HEL at least 32, RHE at least 16
  fields: [],
  doc: 'OPC UA TCP Hello (HELF with "opc." endpoint URL), Acknowledge (ACKF, 28 bytes) or ReverseHello, size equal to the segment.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 8 || b[o + 3] !== 0x46 || le32(b, o + 4) !== n) return Verdict.Exclude;
    const t0 = b[o];
    const t1 = b[o + 1];
    const t2 = b[o + 2];
    if (t0 === 0x41 && t1 === 0x43 && t2 === 0x4b) return n === 28 ? Verdict.Done : Verdict.Exclude;
    const hel = t0 === 0x48 && t1 === 0x45 && t2 === 0x4c;
    const rhe = t0 === 0x52 && t1 === 0x48 && t2 === 0x45;
    if (!hel && !rhe) return Verdict.Exclude;
    // HEL: version and 4 limits (20 bytes) then the URL; RHE: ServerUri then EndpointUrl.
    let p = o + 8 + (hel ? 20 : 0);
    if (p + 4 > o + n) return Verdict.Exclude;
    let len = le32(b, p);
    if (rhe) {
      if (len === 0xffffffff || p + 4 + len + 4 > o + n) return Verdict.Exclude;
      p += 4 + len;
      len = le32(b, p);
    }
    if (len === 0xffffffff) return p + 4 === o + n ? Verdict.Done : Verdict.Exclude;
    if (p + 4 + len !== o + n || len < 4) return Verdict.Exclude;
    return b[p + 4] === 0x6f && b[p + 5] === 0x70 && b[p + 6] === 0x63 && b[p + 7] === 0x2e ? Verdict.Done : Verdict.Exclude;
  },
};
