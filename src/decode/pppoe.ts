/**
 * PPPoE session stage (RFC 2516, EtherType 0x8864): version/type, code,
 * session id and length, then a PPP protocol field (RFC 1661) — IPv4 0x0021,
 * IPv6 0x0057. PPP control protocols (LCP, IPCP ...) and the discovery stage
 * (0x8863) are counted as non-IP.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodePppProtocol } from './link';

export function decodePppoeSession(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 8) return d.fail(Malformed.PppoeTruncated);
  if (buf[off] !== 0x11) return d.fail(Malformed.LinkBadHeader);
  const len = (buf[off + 4] << 8) | buf[off + 5];
  const payloadEnd = Math.min(end, off + 6 + len);
  const proto = (buf[off + 6] << 8) | buf[off + 7];
  return decodePppProtocol(d, proto, buf, off + 8, payloadEnd);
}
