/**
 * IPv4 (RFC 791): version, header length (options skipped, not parsed),
 * total length (trailing link-layer padding is cut off; a total length of 0,
 * as written by captures of TCP segmentation offload, means "to the end of the
 * capture"; a total length longer than the frame on the wire is malformed,
 * while one cut by the capture's snap length is not), fragmentation fields, protocol and addresses. Fragments go to
 * the reassembler. The header checksum is not verified (captures from the
 * sending host often carry offloaded checksums).
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodeIpPayload } from './transport';
import { decodeIpv6 } from './ipv6';

/** Raw IP link types and tunnels: the version nibble picks IPv4 or IPv6. */
export function decodeIpByVersion(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 1) return d.fail(Malformed.LinkTruncated);
  const v = buf[off] >> 4;
  if (v === 4) return decodeIpv4(d, buf, off, end);
  if (v === 6) return decodeIpv6(d, buf, off, end);
  return d.fail(Malformed.Ipv4BadVersion);
}

export function decodeIpv4(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 20) return d.fail(Malformed.Ipv4Truncated);
  const vihl = buf[off];
  if (vihl >> 4 !== 4) return d.fail(Malformed.Ipv4BadVersion);
  const ihl = (vihl & 15) << 2;
  if (ihl < 20) return d.fail(Malformed.Ipv4BadHeaderLength);
  if (off + ihl > end) return d.fail(Malformed.Ipv4Truncated);
  const total = (buf[off + 2] << 8) | buf[off + 3];
  let ipEnd = end;
  if (total !== 0) {
    if (total < ihl || off + total > end + d.pkt.uncaptured) return d.fail(Malformed.Ipv4BadTotalLength);
    if (off + total < end) ipEnd = off + total;
  }
  const p = d.pkt;
  p.ipVersion = 4;
  p.ipOff = off;
  p.ttl = buf[off + 8];
  const a = p.addr;
  a[0] = (buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15];
  a[1] = 0; a[2] = 0; a[3] = 0;
  a[4] = (buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19];
  a[5] = 0; a[6] = 0; a[7] = 0;
  const proto = buf[off + 9];
  const flagsFrag = (buf[off + 6] << 8) | buf[off + 7];
  const more = (flagsFrag & 0x2000) !== 0;
  const fragOffset = (flagsFrag & 0x1fff) << 3;
  if (more || fragOffset !== 0) {
    const id = (buf[off + 4] << 8) | buf[off + 5];
    return d.frag.add(d, 4, id, proto, fragOffset, more, buf, off + ihl, ipEnd, total !== 0 ? off + total : ipEnd);
  }
  return decodeIpPayload(d, proto, buf, off + ihl, ipEnd);
}
