/**
 * WS-Discovery (OASIS WS-Discovery 1.1, and the 2005/04 draft used by
 * Windows): SOAP-over-UDP envelopes (XML) multicast to 239.255.255.250 /
 * ff02::c port 3702. A datagram is WS-Discovery when it is XML (starts with
 * "<", after an optional UTF-8 BOM and white space) and names one of the
 * WS-Discovery namespaces within its first 2 KiB. Recognised on any UDP port.
 * Ignores: the message contents (Probe/ProbeMatch/Hello/Bye/Resolve types,
 * endpoint references, XAddrs).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const NS_2005 = ascii('schemas.xmlsoap.org/ws/2005/04/discovery');
const NS_2009 = ascii('docs.oasis-open.org/ws-dd/ns/discovery/2009/01');
const SCAN = 2048;

export const dissector: Dissector = {
  id: P.WSD,
  on: On.Udp,
  udpPorts: [3702],
  budget: 1,
  udpFirstBytes: [0x09, 0x0a, 0x0d, 0x20, 0x3c, 0xef], // white space, '<', UTF-8 BOM
  udpFirstPacket: { short: [] }, // the namespace alone is 40 bytes
  fields: [],
  doc: 'WS-Discovery (OASIS, SOAP over UDP): XML datagrams naming the WS-Discovery namespace.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    if (p + 3 <= end && buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3;
    while (p < end && (buf[p] === 32 || buf[p] === 9 || buf[p] === 13 || buf[p] === 10)) p++;
    if (p >= end || buf[p] !== 60) return Verdict.Exclude;
    const stop = Math.min(end, p + SCAN);
    if (indexOf(buf, p, stop, NS_2005) < 0 && indexOf(buf, p, stop, NS_2009) < 0) return Verdict.Exclude;
    ctx.detect(P.WSD);
    return Verdict.Done;
  },
};
