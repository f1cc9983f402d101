/**
 * IPv6 (RFC 8200): fixed header, then the extension header chain —
 * hop-by-hop (0), routing (43), destination options (60), mobility (135),
 * HIP (139), shim6 (140) by their length field, AH (51, RFC 4302, length in
 * 4-byte units), the fragment header (44) handed to the reassembler, and "no
 * next header" (59). A payload length of 0 (jumbogram, RFC 2675, or
 * segmentation offload) means "to the end of the capture"; a payload length
 * beyond the frame on the wire is malformed. Option contents
 * are not interpreted.
 */
import type { Decoder } from './decoder';
import { DecodeResult, IpProto, Malformed } from './packet';
import { decodeIpPayload } from './transport';

/** Bound on the extension headers walked, against crafted chains. */
const MAX_EXTENSION_HEADERS = 16;

export function decodeIpv6(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 40) return d.fail(Malformed.Ipv6Truncated);
  if (buf[off] >> 4 !== 6) return d.fail(Malformed.Ipv4BadVersion);
  const plen = (buf[off + 4] << 8) | buf[off + 5];
  let ipEnd = end;
  if (plen !== 0) {
    if (off + 40 + plen > end + d.pkt.uncaptured) return d.fail(Malformed.Ipv6BadPayloadLength);
    if (off + 40 + plen < end) ipEnd = off + 40 + plen;
  }
  const p = d.pkt;
  p.ipVersion = 6;
  p.ipOff = off;
  p.ttl = buf[off + 7];
  const a = p.addr;
  for (let i = 0; i < 8; i++) {
    const o = off + 8 + (i << 2);
    a[i] = (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
  }
  return walkIpv6Extensions(d, buf[off + 6], buf, off + 40, ipEnd, plen !== 0 ? off + 40 + plen : ipEnd);
}

/** Walks extension headers from `next` at `off`; also used on a reassembled datagram. */
export function walkIpv6Extensions(d: Decoder, next: number, buf: Buffer, off: number, end: number, declaredEnd = end): DecodeResult {
  for (let n = 0; ; n++) {
    switch (next) {
      case IpProto.HopByHop:
      case IpProto.Ipv6Route:
      case IpProto.Ipv6Opts:
      case IpProto.Mobility:
      case IpProto.Hip:
      case IpProto.Shim6: {
        if (n >= MAX_EXTENSION_HEADERS) return d.fail(Malformed.Ipv6BadExtensionHeader);
        if (end - off < 8) return d.fail(Malformed.Ipv6Truncated);
        const len = (buf[off + 1] + 1) << 3;
        if (off + len > end) return d.fail(Malformed.Ipv6Truncated);
        next = buf[off];
        off += len;
        break;
      }
      case IpProto.Ah: {
        if (n >= MAX_EXTENSION_HEADERS) return d.fail(Malformed.Ipv6BadExtensionHeader);
        if (end - off < 8) return d.fail(Malformed.Ipv6Truncated);
        const len = (buf[off + 1] + 2) << 2;
        if (off + len > end) return d.fail(Malformed.Ipv6Truncated);
        next = buf[off];
        off += len;
        break;
      }
      case IpProto.Ipv6Frag: {
        if (end - off < 8) return d.fail(Malformed.Ipv6Truncated);
        const fragNext = buf[off];
        const fo = ((buf[off + 2] << 8) | buf[off + 3]) & 0xfff8;
        const more = (buf[off + 3] & 1) !== 0;
        if (fo === 0 && !more) {
          // An atomic fragment (RFC 6946): not fragmented at all.
          next = fragNext;
          off += 8;
          break;
        }
        const id = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
        return d.frag.add(d, 6, id, fragNext, fo, more, buf, off + 8, end, declaredEnd);
      }
      default:
        return decodeIpPayload(d, next, buf, off, end);
    }
  }
}
