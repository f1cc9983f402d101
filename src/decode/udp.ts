/**
 * UDP header (RFC 768): ports and length (the payload ends at the smaller of
 * the UDP length and the IP payload; a length below 8, as in jumbograms, is
 * ignored). Datagrams on the well-known ports of UDP tunnels are opened when
 * their header checks out: GTP-U 2152, VXLAN 4789, CAPWAP data 5247, TZSP
 * 37008. A tunnel datagram with no IP packet inside (802.11 management frames,
 * ARP ...) is accounted as the outer UDP flow. Checksums are not verified.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { NOT_TUNNEL } from './transport';
import { decodeGtpU } from './gtp';
import { decodeVxlan } from './vxlan';
import { decodeCapwapData } from './capwap';
import { decodeTzsp } from './tzsp';

export const PORT_GTP_U = 2152;
export const PORT_VXLAN = 4789;
export const PORT_CAPWAP_DATA = 5247;
export const PORT_TZSP = 37008;

function isTunnelPort(port: number): boolean {
  return port === PORT_GTP_U || port === PORT_VXLAN || port === PORT_CAPWAP_DATA || port === PORT_TZSP;
}

export function decodeUdp(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 8) return d.fail(Malformed.UdpTruncated);
  const p = d.pkt;
  const sport = (buf[off] << 8) | buf[off + 1];
  const dport = (buf[off + 2] << 8) | buf[off + 3];
  const ulen = (buf[off + 4] << 8) | buf[off + 5];
  let pend = end;
  if (ulen >= 8 && off + ulen < end) pend = off + ulen;
  p.srcPort = sport;
  p.dstPort = dport;
  p.payloadOff = off + 8;
  p.payloadLen = pend - off - 8;
  if (d.tunnels && !d.inFragment && (isTunnelPort(sport) || isTunnelPort(dport))) {
    const slot = d.saveOuter();
    let r = NOT_TUNNEL;
    if (sport === PORT_GTP_U || dport === PORT_GTP_U) r = decodeGtpU(d, buf, off + 8, pend);
    else if (dport === PORT_VXLAN || sport === PORT_VXLAN) r = decodeVxlan(d, buf, off + 8, pend);
    else if (dport === PORT_CAPWAP_DATA || sport === PORT_CAPWAP_DATA) r = decodeCapwapData(d, buf, off + 8, pend);
    else r = decodeTzsp(d, buf, off + 8, pend);
    if (r === DecodeResult.NotIp) {
      // A tunnel carrying no IP here (802.11 management, ARP ...): account the outer datagram.
      d.restoreOuter(slot);
      return DecodeResult.Ok;
    }
    if (r !== NOT_TUNNEL) return r;
  }
  return DecodeResult.Ok;
}
