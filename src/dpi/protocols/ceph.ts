/**
 * Ceph messenger protocol (Ceph documentation, "Messenger v2" and the v1
 * banner): both sides of a connection start with a banner: "ceph v027" for
 * messenger v1 (followed by entity addresses) or "ceph v2\n" for messenger
 * v2 (followed by a 16-bit payload length and feature bits).
 * Ignores: everything after the banner (frames, possibly encrypted).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, startsWith } from '../bytes';

const BANNER = ascii('ceph v');

export const dissector: Dissector = {
  id: P.Ceph,
  on: On.Tcp,
  tcpPorts: [3300, 6789],
  budget: 2,
  tcpFirstBytes: [0x63], // 'c'eph v
  tcpFirstPacket: { short: [0x63] }, // the 8-byte "ceph v2\n" banner
  fields: [],
  doc: 'Ceph messenger banner: "ceph v027" (v1) or "ceph v2\\n" (v2).',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.len < 8 || !startsWith(b, o, end, BANNER)) return Verdict.Exclude;
    const v1 = ctx.len >= 9 && b[o + 6] === 0x30 && b[o + 7] === 0x32 && b[o + 8] === 0x37;
    const v2 = b[o + 6] === 0x32 && b[o + 7] === 0x0a;
    return v1 || v2 ? Verdict.Done : Verdict.Exclude;
  },
};
