/**
 * NetFlow and IPFIX export datagrams:
 *  - NetFlow v1/v5/v7 (Cisco "NetFlow Export Datagram Format"): version,
 *    record count (1..24/30/28) and a datagram length equal to the header
 *    (16 or 24 bytes) plus count fixed-size records (48, 48, 52 bytes);
 *  - NetFlow v9 (RFC 3954): version 9, 20-byte header, then FlowSets (id 0
 *    template, 1 options template, >= 256 data; 16-bit length >= 4) tiling
 *    the datagram;
 *  - IPFIX (RFC 7011): version 10, message length equal to the datagram,
 *    16-byte header, Sets (id 2, 3 or >= 256) tiling the message.
 * All are labelled NetFlow, as nDPI does.
 * Ignores: templates and records, SCTP/TCP transport of IPFIX.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

function sets(b: Buffer, p: number, end: number, ipfix: boolean): boolean {
  let count = 0;
  while (p < end) {
    if (p + 4 > end) return false;
    const id = be16(b, p);
    const len = be16(b, p + 2);
    if (ipfix ? id !== 2 && id !== 3 && id < 256 : id > 1 && id < 256) return false;
    if (len < 4 || p + len > end) return false;
    p += len;
    count++;
  }
  return count > 0;
}

function netflow(b: Buffer, o: number, n: number): boolean {
  if (n < 16) return false;
  const ver = be16(b, o);
  const count = be16(b, o + 2);
  switch (ver) {
    case 1:
      return count >= 1 && count <= 24 && n === 16 + 48 * count;
    case 5:
      return count >= 1 && count <= 30 && n === 24 + 48 * count;
    case 7:
      return count >= 1 && count <= 28 && n === 24 + 52 * count;
    case 9:
      return n >= 24 && count >= 1 && sets(b, o + 20, o + n, false);
    case 10:
      return count === n && n >= 20 && sets(b, o + 16, o + n, true);
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.NetFlow,
  on: On.Udp,
  udpPorts: [2055],
  budget: 2,
  udpFirstBytes: [0x00], // 16-bit version 1/5/7/9/10
  udpFirstPacket: { short: [] }, // 16 bytes at least
  fields: [],
  doc: 'NetFlow v1/v5/v7 (length = header + count records), NetFlow v9 and IPFIX (FlowSets/Sets tiling the datagram).',
  dissect(ctx: DissectContext): Verdict {
    return netflow(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
