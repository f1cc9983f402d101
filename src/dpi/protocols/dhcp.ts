/**
 * DHCP (RFC 2131) and its BOOTP framing (RFC 951): op 1 (BOOTREQUEST) or 2
 * (BOOTREPLY), a hardware address length of at most 16, then the magic cookie
 * 99.130.83.99 at offset 236 (RFC 2131 3) and the options (RFC 2132), read
 * until END. Recognised from the payload on any port; the cookie and a
 * well-formed option list are required.
 * Metadata: dhcp_fingerprint = the Parameter Request List (option 55) as
 * comma-separated decimal codes; dhcp_class_ident = Vendor Class Identifier
 * (option 60); server_name = Host Name (option 12), lower-cased and cut to its
 * last 79 characters as nDPI reports it. The flow's first message decides.
 * Ignores: BOOTP without the cookie, option overload into sname/file (RFC 2132
 * 9.3), relay agent sub-options, DHCP over IPv6 (dhcpv6.ts).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const COOKIE = 0x63825363;
const OPTIONS = 240;
const OPT_PAD = 0;
const OPT_END = 255;
const OPT_HOST_NAME = 12;
const OPT_MESSAGE_TYPE = 53;
const OPT_PARAMS = 55;
const OPT_CLASS_ID = 60;
const MAX_HOST = 79;

/** Text of an option value: control bytes as '?', trailing spaces and NULs dropped. */
function text(buf: Buffer, p: number, n: number, lower: boolean): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    let c = buf[p + i];
    if (lower && c >= 65 && c <= 90) c += 32;
    s += c >= 32 && c <= 126 ? String.fromCharCode(c) : c === 0 ? '\0' : '?';
  }
  return s.replace(/[\0 ]+$/, '').replace(/\0/g, '?');
}

export const dissector: Dissector = {
  id: P.DHCP,
  on: On.Udp,
  udpPorts: [67, 68],
  budget: 1,
  udpFirstBytes: [0x01, 0x02], // BOOTREQUEST, BOOTREPLY
  udpFirstPacket: { short: [] }, // the cookie alone is at offset 236
  fields: ['server_name', 'dhcp_fingerprint', 'dhcp_class_ident'],
  doc: 'DHCP (RFC 2131/2132): BOOTP header with the magic cookie; host name, parameter request list fingerprint and vendor class.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.len < OPTIONS + 1 || (buf[off] !== 1 && buf[off] !== 2) || buf[off + 2] > 16 || be32(buf, off + 236) !== COOKIE) {
      return Verdict.Exclude;
    }
    // The option list must be well formed up to END (or the end of the payload).
    let msgType = -1;
    let p = off + OPTIONS;
    while (p < end) {
      const code = buf[p];
      if (code === OPT_END) break;
      if (code === OPT_PAD) {
        p++;
        continue;
      }
      if (p + 2 > end || p + 2 + buf[p + 1] > end) return Verdict.Exclude;
      if (code === OPT_MESSAGE_TYPE && buf[p + 1] === 1) msgType = buf[p + 2];
      p += 2 + buf[p + 1];
    }
    if (msgType < 1 || msgType > 18) return Verdict.Exclude;
    ctx.detect(P.DHCP);
    for (p = off + OPTIONS; p < end && buf[p] !== OPT_END;) {
      const code = buf[p];
      if (code === OPT_PAD) {
        p++;
        continue;
      }
      const n = buf[p + 1];
      const v = p + 2;
      if (code === OPT_HOST_NAME && n > 0) {
        const h = text(buf, v, n, true);
        ctx.set('server_name', h.length > MAX_HOST ? h.slice(h.length - MAX_HOST) : h);
      } else if (code === OPT_PARAMS && n > 0) {
        const codes: number[] = [];
        for (let i = 0; i < n; i++) codes.push(buf[v + i]);
        ctx.set('dhcp_fingerprint', codes.join(','));
      } else if (code === OPT_CLASS_ID && n > 0) {
        ctx.set('dhcp_class_ident', text(buf, v, n, false));
      }
      p = v + n;
    }
    return Verdict.Done;
  },
};
