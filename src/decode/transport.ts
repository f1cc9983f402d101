/**
 * Dispatch of an IP payload by protocol number (IANA "Assigned Internet
 * Protocol Numbers") to the transport decoders and the IP-carried tunnels
 * (GRE, IP-in-IP, IPv6-in-IP). Protocols without ports (ESP, OSPF, VRRP,
 * PIM ...) become flows keyed by addresses and protocol, with ports 0.
 */
import type { Decoder } from './decoder';
import { MAX_TUNNEL_DEPTH } from './decoder';
import { DecodeResult, IpProto, Malformed, Tunnel } from './packet';
import { decodeTcp } from './tcp';
import { decodeUdp } from './udp';
import { decodeIcmp } from './icmp';
import { decodeSctp } from './sctp';
import { decodeGre } from './gre';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

/** Returned by a tunnel decoder whose header check fails: the packet is then a plain flow of the outer protocol. */
export const NOT_TUNNEL = -1;

export function decodeIpPayload(d: Decoder, proto: number, buf: Buffer, off: number, end: number): DecodeResult {
  const p = d.pkt;
  p.proto = proto;
  p.l4Off = off;
  p.l4Len = end - off;
  p.srcPort = 0;
  p.dstPort = 0;
  p.tcpFlags = 0;
  p.tcpOptLen = 0;
  p.icmpType = 0;
  p.icmpCode = 0;
  switch (proto) {
    case IpProto.Tcp:
      return decodeTcp(d, buf, off, end);
    case IpProto.Udp:
      return decodeUdp(d, buf, off, end);
    case IpProto.Icmp:
    case IpProto.Icmpv6:
      return decodeIcmp(d, buf, off, end);
    case IpProto.Sctp:
      return decodeSctp(d, buf, off, end);
    case IpProto.Gre:
      if (d.tunnels && !d.inFragment) {
        const slot = d.saveOuter();
        const r = decodeGre(d, buf, off, end);
        // GRE carrying no IP packet (PPTP control, encrypted PPP, bridged ARP ...) stays a GRE flow.
        if (r === DecodeResult.NotIp) d.restoreOuter(slot);
        else if (r !== NOT_TUNNEL) return r;
        p.proto = proto;
      }
      break;
    case IpProto.IpIp:
    case IpProto.Ipv6:
      if (d.tunnels && !d.inFragment && end - off >= 1) {
        const v = buf[off] >> 4;
        if ((proto === IpProto.IpIp && v === 4) || (proto === IpProto.Ipv6 && v === 6)) {
          const t = enterTunnel(d, proto === IpProto.IpIp ? Tunnel.IpIp : Tunnel.SixIn4);
          if (t !== DecodeResult.Ok) return t;
          return v === 4 ? decodeIpv4(d, buf, off, end) : decodeIpv6(d, buf, off, end);
        }
      }
      break;
    default:
      break;
  }
  p.payloadOff = off;
  p.payloadLen = end - off;
  return DecodeResult.Ok;
}

/** Notes one more level of encapsulation; rejects frames nested too deeply. */
export function enterTunnel(d: Decoder, type: Tunnel): DecodeResult {
  const p = d.pkt;
  if (p.depth >= MAX_TUNNEL_DEPTH) return d.fail(Malformed.TunnelTooDeep);
  p.depth++;
  if (p.tunnel === Tunnel.None) p.tunnel = type;
  return DecodeResult.Ok;
}
