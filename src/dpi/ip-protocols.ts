/**
 * Labels for flows of IP protocols without ports, from the IP protocol number
 * alone (IANA "Assigned Internet Protocol Numbers"), with nDPI's names.
 */
import { P } from './generated/protocols';

const BY_NUMBER = new Uint16Array(256);
BY_NUMBER[1] = P.ICMP;
BY_NUMBER[2] = P.IGMP;
BY_NUMBER[4] = P.IP_in_IP;
BY_NUMBER[8] = P.EGP;
BY_NUMBER[41] = P.IP_in_IP;
BY_NUMBER[47] = P.GRE;
BY_NUMBER[50] = P.IPSec;
BY_NUMBER[51] = P.IPSec;
BY_NUMBER[58] = P.ICMPV6;
BY_NUMBER[89] = P.OSPF;
BY_NUMBER[103] = P.IP_PIM;
BY_NUMBER[112] = P.VRRP;
BY_NUMBER[132] = P.SCTP;

/** nDPI protocol id for a flow of IP protocol `proto` (not TCP/UDP), or 0. */
export function ipProtocolApp(proto: number): number {
  return BY_NUMBER[proto & 255];
}
