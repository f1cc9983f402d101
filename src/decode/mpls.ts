/**
 * MPLS label stacks (RFC 3032): 4-byte label stack entries up to the one with
 * the bottom-of-stack bit. The payload type is not signalled; as routers and
 * analyzers do, it is inferred from the first nibble: 4 → IPv4, 6 → IPv6,
 * 0 → a pseudowire control word (RFC 4385) followed by an Ethernet frame
 * (RFC 4448). Labels themselves are not kept.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeEthernet } from './ethernet';

const MAX_LABELS = 16;

export function decodeMpls(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  for (let n = 0; ; n++) {
    if (end - off < 4) return d.fail(Malformed.MplsTruncated);
    if (n >= MAX_LABELS) return d.fail(Malformed.LinkBadHeader);
    const bos = buf[off + 2] & 1;
    off += 4;
    if (bos) break;
  }
  if (end - off < 1) return d.fail(Malformed.MplsTruncated);
  const nibble = buf[off] >> 4;
  if (nibble === 4) return decodeIpv4(d, buf, off, end);
  if (nibble === 6) return decodeIpv6(d, buf, off, end);
  if (nibble === 0) return decodeEthernet(d, buf, off + 4, end);
  return DecodeResult.NotIp;
}
