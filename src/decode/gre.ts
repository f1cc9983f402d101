/**
 * GRE (RFC 2784 with the key and sequence extensions of RFC 2890) and the
 * enhanced GRE of PPTP (RFC 2637, version 1, carrying PPP). Payloads opened:
 * IPv4, IPv6, transparent Ethernet bridging (0x6558), MPLS, PPP, and ERSPAN
 * type I/II (0x88BE) and type III (0x22EB, with its optional platform-specific
 * sub-header) carrying Ethernet. GRE with source routing and other payload
 * types stay plain GRE flows. Checksums are not verified.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Tunnel } from './packet';
import { NOT_TUNNEL, enterTunnel } from './transport';
import { decodeEtherType, decodeEthernet } from './ethernet';
import { decodePpp } from './link';

const GRE_TEB = 0x6558;
const GRE_ERSPAN_2 = 0x88be;
const GRE_ERSPAN_3 = 0x22eb;
const GRE_PPP = 0x880b;

export function decodeGre(d: Decoder, buf: Buffer, off: number, end: number): number {
  if (end - off < 4) return NOT_TUNNEL;
  const f0 = buf[off];
  const f1 = buf[off + 1];
  const version = f1 & 7;
  const proto = (buf[off + 2] << 8) | buf[off + 3];
  let hdr = 4;
  if (version === 0) {
    if (f0 & 0x40) return NOT_TUNNEL;
    if (f0 & 0x80) hdr += 4;
    if (f0 & 0x20) hdr += 4;
    if (f0 & 0x10) hdr += 4;
  } else if (version === 1) {
    if (proto !== GRE_PPP || (f0 & 0x20) === 0) return NOT_TUNNEL;
    hdr += 4;
    if (f0 & 0x10) hdr += 4;
    if (f1 & 0x80) hdr += 4;
  } else {
    return NOT_TUNNEL;
  }
  if (off + hdr > end) return NOT_TUNNEL;
  const inner = off + hdr;
  switch (proto) {
    case GRE_TEB: {
      const t = enterTunnel(d, Tunnel.Gre);
      return t !== DecodeResult.Ok ? t : decodeEthernet(d, buf, inner, end);
    }
    case GRE_PPP: {
      if (inner >= end) return NOT_TUNNEL;
      const t = enterTunnel(d, Tunnel.Gre);
      return t !== DecodeResult.Ok ? t : decodePpp(d, buf, inner, end);
    }
    case GRE_ERSPAN_2: {
      // Type II carries an 8-byte ERSPAN header and a GRE sequence number; type I has neither.
      const eh = (f0 & 0x10) !== 0 ? 8 : 0;
      if (inner + eh > end) return NOT_TUNNEL;
      const t = enterTunnel(d, Tunnel.Erspan);
      return t !== DecodeResult.Ok ? t : decodeEthernet(d, buf, inner + eh, end);
    }
    case GRE_ERSPAN_3: {
      if (inner + 12 > end) return NOT_TUNNEL;
      const eh = (buf[inner + 11] & 1) !== 0 ? 20 : 12;
      if (inner + eh > end) return NOT_TUNNEL;
      const t = enterTunnel(d, Tunnel.Erspan);
      return t !== DecodeResult.Ok ? t : decodeEthernet(d, buf, inner + eh, end);
    }
    case 0x0800:
    case 0x86dd:
    case 0x8847: {
      const t = enterTunnel(d, Tunnel.Gre);
      return t !== DecodeResult.Ok ? t : decodeEtherType(d, proto, buf, inner, end);
    }
    default:
      return NOT_TUNNEL;
  }
}
