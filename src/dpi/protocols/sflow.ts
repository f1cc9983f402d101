/**
 * sFlow version 5 datagrams (sflow.org, "sFlow Version 5", sample_datagram_v5):
 * version 5, agent address type (1 IPv4, 2 IPv6) and address, sub-agent id,
 * sequence number, uptime and the number of samples (1..1000), then the
 * samples: a data format (enterprise 0; format 1 flow sample, 2 counter
 * sample, 3 expanded flow sample, 4 expanded counter sample; or a non-zero
 * enterprise) and a length; the samples must tile the datagram exactly.
 * Ignores: flow and counter records, sFlow v2/v4.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

export const dissector: Dissector = {
  id: P.sFlow,
  on: On.Udp,
  udpPorts: [6343],
  budget: 2,
  udpFirstBytes: [0x00], // version 5, 32-bit big-endian
  udpFirstPacket: { short: [] }, // at least 28 bytes
  fields: [],
  doc: 'sFlow v5 datagram header (agent address type 1/2, sample count) with samples tiling the datagram.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.len < 28 || be32(b, o) !== 5) return Verdict.Exclude;
    const at = be32(b, o + 4);
    if (at !== 1 && at !== 2) return Verdict.Exclude;
    let p = o + 8 + (at === 1 ? 4 : 16) + 12;
    if (p + 4 > end) return Verdict.Exclude;
    const count = be32(b, p);
    if (count === 0 || count > 1000) return Verdict.Exclude;
    p += 4;
    for (let i = 0; i < count; i++) {
      if (p + 8 > end) return Verdict.Exclude;
      const fmt = be32(b, p);
      const len = be32(b, p + 4);
      if ((fmt >>> 12) === 0 && ((fmt & 0xfff) < 1 || (fmt & 0xfff) > 4)) return Verdict.Exclude;
      if (len > end - p - 8 || (len & 3) !== 0) return Verdict.Exclude;
      p += 8 + len;
    }
    return p === end ? Verdict.Done : Verdict.Exclude;
  },
};
