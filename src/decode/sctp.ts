/**
 * SCTP common header (RFC 9260, 3.1): source and destination ports,
 * verification tag, checksum. The chunks are the payload; they are not
 * parsed here.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';

export function decodeSctp(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 12) return d.fail(Malformed.SctpTruncated);
  const p = d.pkt;
  p.srcPort = (buf[off] << 8) | buf[off + 1];
  p.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  p.payloadOff = off + 12;
  p.payloadLen = end - off - 12;
  return DecodeResult.Ok;
}
