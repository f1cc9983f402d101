/**
 * Ethernet II and IEEE 802.3 frames (IEEE Std 802.3), 802.2 LLC with SNAP
 * (RFC 1042), and the EtherType dispatch shared by every link layer:
 * stacked 802.1Q / 802.1ad / 0x9100 VLAN tags (IEEE 802.1Q; the outermost
 * VLAN id is kept on the packet), MPLS (RFC 3032), PPPoE sessions (RFC 2516),
 * IPv4 and IPv6. The frame check sequence is not expected (captures strip it);
 * other EtherTypes (ARP, LLDP, ...) are counted as non-IP.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeMpls } from './mpls';
import { decodePppoeSession } from './pppoe';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MCAST = 0x8848;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;

/** Maximum VLAN tags walked in one frame. */
const MAX_VLAN_TAGS = 8;

export function decodeEthernet(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 14) return d.fail(Malformed.LinkTruncated);
  const type = (buf[off + 12] << 8) | buf[off + 13];
  if (type < 0x0600) return decodeLlc(d, buf, off + 14, end);
  return decodeEtherType(d, type, buf, off + 14, end);
}

/** 802.2 LLC: only SNAP (AA AA 03) with an EtherType can carry IP here. */
export function decodeLlc(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 3) return DecodeResult.NotIp;
  if (buf[off] !== 0xaa || buf[off + 1] !== 0xaa || buf[off + 2] !== 0x03) return DecodeResult.NotIp;
  if (end - off < 8) return d.fail(Malformed.LinkTruncated);
  return decodeEtherType(d, (buf[off + 6] << 8) | buf[off + 7], buf, off + 8, end);
}

export function decodeEtherType(d: Decoder, type: number, buf: Buffer, off: number, end: number): DecodeResult {
  let tags = 0;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (end - off < 4) return d.fail(Malformed.VlanTruncated);
    if (++tags > MAX_VLAN_TAGS) return d.fail(Malformed.LinkBadHeader);
    const p = d.pkt;
    if (p.vlanId === 0) p.vlanId = ((buf[off] & 0x0f) << 8) | buf[off + 1];
    type = (buf[off + 2] << 8) | buf[off + 3];
    off += 4;
  }
  switch (type) {
    case ETHERTYPE_IPV4:
      return decodeIpv4(d, buf, off, end);
    case ETHERTYPE_IPV6:
      return decodeIpv6(d, buf, off, end);
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MCAST:
      return decodeMpls(d, buf, off, end);
    case ETHERTYPE_PPPOE_SESSION:
      return decodePppoeSession(d, buf, off, end);
    default:
      if (type < 0x0600) return decodeLlc(d, buf, off, end);
      return DecodeResult.NotIp;
  }
}
