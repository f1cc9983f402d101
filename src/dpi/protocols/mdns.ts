/**
 * Multicast DNS (RFC 6762): DNS messages (RFC 1035 format, read by dns.ts)
 * on UDP port 5353, which RFC 6762 section 5 makes the protocol's port, so a
 * flow is mDNS only when one of its ports is 5353. Header checks are nDPI's
 * (queries, and responses that may carry no question); a unicast message to
 * port 5353 that is neither a plain query (flags 0) nor a question-less
 * response is not taken. server_name is the first question (or answer) name,
 * lower-cased but otherwise as sent (mDNS names are UTF-8), as nDPI reports
 * it; dns_answers holds A/AAAA/CNAME data. The flow is read until a response
 * carrying records, at most 6 messages.
 * Ignores: service instance details (PTR/SRV/TXT contents), mDNS over TCP.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { DNS_FIELDS, DNS_PORT, DNS_UDP_FIRST, dissectDns, DnsKind, MDNS_PORT } from './dns';

export const dissector: Dissector = {
  id: P.MDNS,
  on: On.Udp,
  udpPorts: [MDNS_PORT, 5354],
  budget: 6,
  udpFirstPacket: DNS_UDP_FIRST,
  fields: DNS_FIELDS,
  doc: 'Multicast DNS (RFC 6762) on UDP port 5353: query/answer names and addresses from the DNS message.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.clientPort === DNS_PORT || (ctx.clientPort !== MDNS_PORT && ctx.serverPort !== MDNS_PORT)) return Verdict.Exclude;
    return dissectDns(ctx, DnsKind.Mdns, P.MDNS, true);
  },
};
