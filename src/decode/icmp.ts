/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code. Flows of these
 * protocols are keyed without ports (as nDPI, ntopng and NetFlow exporters
 * that do not fold type/code into the port field). The quoted datagram in
 * error messages is not decoded.
 */
import type { Decoder } from './decoder';
import { DecodeResult } from './packet';

export function decodeIcmp(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  const p = d.pkt;
  if (end - off >= 2) {
    p.icmpType = buf[off];
    p.icmpCode = buf[off + 1];
  }
  const hdr = end - off >= 8 ? 8 : end - off;
  p.payloadOff = off + hdr;
  p.payloadLen = end - off - hdr;
  return DecodeResult.Ok;
}
