/**
 * Link-layer framings other than Ethernet, dispatched by LINKTYPE_* value
 * (https://www.tcpdump.org/linktypes.html):
 *  - BSD null (0, family in the capturing host's byte order) and loopback (108, network order)
 *  - PPP (9) and PPP in HDLC-like framing (50): RFC 1661/1662, optional FF 03 address/control,
 *    one- or two-byte protocol field; Cisco HDLC (104): address, control, EtherType (also
 *    recognised by its 0x0F/0x8F address inside PPP captures of serial links, as Wireshark does)
 *  - raw IP (12, 14, 101) and IPv4/IPv6 (228/229): the version nibble decides
 *  - Linux cooked capture v1 (113, 16-byte header) and v2 (276, 20-byte header)
 *  - PPI (192): the per-packet header's DLT field selects Ethernet or 802.11
 *  - 802.11 (105) and radiotap (127) data frames
 * Ignores PPI field contents, radiotap fields and SLL address fields.
 */
import type { Decoder } from './decoder';
import { LinkType } from '../capture/source';
import { DecodeResult, Malformed } from './packet';
import { decodeEthernet, decodeEtherType } from './ethernet';
import { decodeIeee80211 } from './ieee80211';
import { decodeIpByVersion } from './ipv4';

const AF_INET = 2;

export function decodeLinkLayer(d: Decoder, linkType: number, buf: Buffer, off: number, end: number): DecodeResult {
  switch (linkType) {
    case LinkType.Ethernet:
      return decodeEthernet(d, buf, off, end);
    case LinkType.RawDlt12:
    case LinkType.RawDlt14:
    case LinkType.RawIp:
    case LinkType.Ipv4:
    case LinkType.Ipv6:
      return decodeIpByVersion(d, buf, off, end);
    case LinkType.LinuxSll:
      return decodeSll(d, buf, off, end);
    case LinkType.LinuxSll2:
      return decodeSll2(d, buf, off, end);
    case LinkType.Null:
      return decodeNull(d, buf, off, end, false);
    case LinkType.Loop:
      return decodeNull(d, buf, off, end, true);
    case LinkType.Ppp:
    case LinkType.PppHdlc:
      return decodePpp(d, buf, off, end);
    case LinkType.CiscoHdlc:
      return decodeCiscoHdlc(d, buf, off, end);
    case LinkType.Ppi:
      return decodePpi(d, buf, off, end);
    case LinkType.Ieee80211:
      return decodeIeee80211(d, buf, off, end);
    case LinkType.Radiotap:
      return decodeRadiotap(d, buf, off, end);
    default:
      return DecodeResult.UnsupportedLink;
  }
}

function decodeNull(d: Decoder, buf: Buffer, off: number, end: number, networkOrder: boolean): DecodeResult {
  if (end - off < 4) return d.fail(Malformed.LinkTruncated);
  let family: number;
  if (networkOrder) family = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
  else if (buf[off] !== 0 || buf[off + 1] !== 0) family = buf[off] | (buf[off + 1] << 8);
  else family = (buf[off + 2] << 8) | buf[off + 3];
  off += 4;
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
  if (family === AF_INET || family === 10 || family === 24 || family === 28 || family === 30) return decodeIpByVersion(d, buf, off, end);
  return DecodeResult.NotIp;
}

/** PPP protocol numbers (RFC 1661; IANA PPP DLL protocol numbers). */
export function decodePppProtocol(d: Decoder, proto: number, buf: Buffer, off: number, end: number): DecodeResult {
  switch (proto) {
    case 0x0021:
      return decodeIpByVersion(d, buf, off, end);
    case 0x0057:
      return decodeIpByVersion(d, buf, off, end);
    case 0x0281:
      return decodeEtherType(d, 0x8847, buf, off, end);
    default:
      return DecodeResult.NotIp;
  }
}

export function decodePpp(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 2) return d.fail(Malformed.LinkTruncated);
  // Serial links captured as PPP may carry Cisco HDLC framing instead (address 0x0F unicast or 0x8F broadcast, control 0).
  if ((buf[off] === 0x0f || buf[off] === 0x8f) && buf[off + 1] === 0x00) return decodeCiscoHdlc(d, buf, off, end);
  if (buf[off] === 0xff && buf[off + 1] === 0x03) {
    off += 2;
    if (end - off < 1) return d.fail(Malformed.LinkTruncated);
  }
  let proto: number;
  if (buf[off] & 1) {
    proto = buf[off];
    off += 1;
  } else {
    if (end - off < 2) return d.fail(Malformed.LinkTruncated);
    proto = (buf[off] << 8) | buf[off + 1];
    off += 2;
  }
  return decodePppProtocol(d, proto, buf, off, end);
}

function decodeCiscoHdlc(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 4) return d.fail(Malformed.LinkTruncated);
  return decodeEtherType(d, (buf[off + 2] << 8) | buf[off + 3], buf, off + 4, end);
}

function decodeSll(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 16) return d.fail(Malformed.LinkTruncated);
  return decodeSllProtocol(d, (buf[off + 2] << 8) | buf[off + 3], (buf[off + 14] << 8) | buf[off + 15], buf, off + 16, end);
}

function decodeSll2(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 20) return d.fail(Malformed.LinkTruncated);
  return decodeSllProtocol(d, (buf[off + 8] << 8) | buf[off + 9], (buf[off] << 8) | buf[off + 1], buf, off + 20, end);
}

const ARPHRD_IPGRE = 778;
const ARPHRD_IEEE80211_RADIOTAP = 803;
const ARPHRD_NETLINK = 824;

function decodeSllProtocol(d: Decoder, arphrd: number, proto: number, buf: Buffer, off: number, end: number): DecodeResult {
  if (arphrd === ARPHRD_NETLINK) return DecodeResult.NotIp;
  if (arphrd === ARPHRD_IEEE80211_RADIOTAP) return decodeRadiotap(d, buf, off, end);
  if (arphrd === ARPHRD_IPGRE) return decodeEtherType(d, proto, buf, off, end);
  // Protocol values below 0x0600 are Linux pseudo-types (ETH_P_802_2, ETH_P_802_3 ...), not EtherTypes.
  if (proto === 0x0001 || proto === 0x0004) return DecodeResult.NotIp;
  return decodeEtherType(d, proto, buf, off, end);
}

function decodePpi(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 8) return d.fail(Malformed.LinkTruncated);
  const len = buf[off + 2] | (buf[off + 3] << 8);
  const dlt = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
  if (len < 8 || off + len > end) return d.fail(Malformed.LinkBadHeader);
  off += len;
  if (dlt === LinkType.Ethernet) return decodeEthernet(d, buf, off, end);
  if (dlt === LinkType.Ieee80211) return decodeIeee80211(d, buf, off, end);
  return DecodeResult.UnsupportedLink;
}

function decodeRadiotap(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 8) return d.fail(Malformed.LinkTruncated);
  const len = buf[off + 2] | (buf[off + 3] << 8);
  if (len < 8 || off + len > end) return d.fail(Malformed.LinkBadHeader);
  return decodeIeee80211(d, buf, off + len, end);
}
