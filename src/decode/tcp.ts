/**
 * TCP header (RFC 9293): ports, sequence and acknowledgement numbers, data
 * offset, the nine flag bits (NS as 0x100), window, and the options kept as a
 * view (offset/length) for later fingerprinting. A header whose options run
 * past the capture is kept with an empty payload. Checksums are not verified.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';

export const enum TcpFlag {
  Fin = 0x01,
  Syn = 0x02,
  Rst = 0x04,
  Psh = 0x08,
  Ack = 0x10,
  Urg = 0x20,
  Ece = 0x40,
  Cwr = 0x80,
  Ns = 0x100,
}

export function decodeTcp(d: Decoder, buf: Buffer, off: number, end: number): DecodeResult {
  if (end - off < 20) return d.fail(Malformed.TcpTruncated);
  const p = d.pkt;
  const hlen = (buf[off + 12] >> 4) << 2;
  if (hlen < 20) return d.fail(Malformed.TcpBadDataOffset);
  p.srcPort = (buf[off] << 8) | buf[off + 1];
  p.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  p.tcpSeq = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
  p.tcpAck = ((buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11]) >>> 0;
  p.tcpFlags = buf[off + 13] | ((buf[off + 12] & 1) << 8);
  p.tcpWindow = (buf[off + 14] << 8) | buf[off + 15];
  p.tcpOptOff = off + 20;
  const hend = off + hlen;
  if (hend > end) {
    p.tcpOptLen = end - off - 20;
    p.payloadOff = end;
    p.payloadLen = 0;
  } else {
    p.tcpOptLen = hlen - 20;
    p.payloadOff = hend;
    p.payloadLen = end - hend;
  }
  return DecodeResult.Ok;
}
