/**
 * Link-Local Multicast Name Resolution (RFC 4795): DNS-format messages (read
 * by dns.ts) sent to UDP port 5355, the port RFC 4795 section 2 assigns, so a
 * flow is LLMNR only when its server port is 5355. Header checks are nDPI's;
 * a unicast message to port 5355 with flags and questions is not taken (LLMNR
 * queries go to 224.0.0.252 / ff02::1:3). server_name is the queried name as
 * nDPI prints it (non-host characters as '_' or '?'). The first message is
 * enough: the flow is done after it, as in nDPI.
 * Ignores: LLMNR over TCP, the conflict (C) and tentative (T) bits.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { DNS_FIELDS, DNS_PORT, DNS_UDP_FIRST, dissectDns, DnsKind, LLMNR_PORT, MDNS_PORT } from './dns';

export const dissector: Dissector = {
  id: P.LLMNR,
  on: On.Udp,
  udpPorts: [LLMNR_PORT],
  budget: 1,
  udpFirstPacket: DNS_UDP_FIRST,
  fields: DNS_FIELDS,
  doc: 'LLMNR (RFC 4795) queries and answers to UDP port 5355: the queried name.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.serverPort !== LLMNR_PORT || ctx.clientPort === DNS_PORT || ctx.clientPort === MDNS_PORT) return Verdict.Exclude;
    return dissectDns(ctx, DnsKind.Llmnr, P.LLMNR, true);
  },
};
