/**
 * collectd network protocol (collectd wiki, "Binary protocol"): a datagram
 * is a sequence of parts, each a 16-bit type and a 16-bit length (header
 * included): 0x0000 host, 0x0002 plugin, 0x0003 plugin instance, 0x0004 type,
 * 0x0005 type instance, 0x0100 message (NUL-terminated strings), 0x0001 time,
 * 0x0007 interval, 0x0008 high-resolution time, 0x0009 high-resolution
 * interval, 0x0101 severity (64-bit numbers, length 12), 0x0006 values
 * (count, type codes, 8-byte values), 0x0200 signature, 0x0210 encryption.
 * The parts must tile the datagram; an unsigned datagram must start with a
 * host part. The host name is kept as server_name.
 * Ignores: the values themselves.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function partOk(b: Buffer, p: number, type: number, len: number): boolean {
  switch (type) {
    case 0x0000:
    case 0x0002:
    case 0x0003:
    case 0x0004:
    case 0x0005:
    case 0x0100:
      return len >= 5 && b[p + len - 1] === 0;
    case 0x0001:
    case 0x0007:
    case 0x0008:
    case 0x0009:
    case 0x0101:
      return len === 12;
    case 0x0006: {
      if (len < 6) return false;
      const count = be16(b, p + 4);
      return len === 6 + 9 * count;
    }
    case 0x0200:
    case 0x0210:
      return len >= 8;
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.collectd,
  on: On.Udp,
  udpPorts: [25826],
  budget: 2,
  udpFirstBytes: [0x00, 0x02], // part type 0x0000 host, 0x0200/0x0210 signature/encryption
  udpFirstPacket: { bytes: [[1, [0x00, 0x10]]], short: [0x00, 0x02] }, // 8-15 bytes: host or signature/encryption parts
  fields: ['server_name'],
  doc: 'collectd binary protocol: typed parts with consistent lengths tiling the datagram, starting with host (or a signature/encryption part).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    if (ctx.len < 8) return Verdict.Exclude;
    const first = be16(b, p);
    if (first !== 0x0000 && first !== 0x0200 && first !== 0x0210) return Verdict.Exclude;
    let count = 0;
    while (p < end) {
      if (p + 4 > end) return Verdict.Exclude;
      const type = be16(b, p);
      const len = be16(b, p + 2);
      if (p + len > end || !partOk(b, p, type, len)) return Verdict.Exclude;
      if (type === 0x0210) return Verdict.Done;
      p += len;
      count++;
    }
    if (count < 2) return Verdict.Exclude;
    if (first === 0x0000) {
      const hl = be16(b, ctx.off + 2);
      ctx.set('server_name', b.toString('latin1', ctx.off + 4, ctx.off + hl - 1));
    }
    return Verdict.Done;
  },
};
