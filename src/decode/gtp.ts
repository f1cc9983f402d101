/**
 * GTP-U (3GPP TS 29.281): version 1 with protocol type GTP, message type 255
 * (G-PDU), the optional sequence/N-PDU/next-extension word and the chain of
 * extension headers, then the user's IPv4 or IPv6 packet. Other GTP-U
 * messages (echo, error indication, end marker) and GTP' stay plain UDP flows.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Tunnel } from './packet';
import { NOT_TUNNEL, enterTunnel } from './transport';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

const MAX_EXTENSIONS = 8;

export function decodeGtpU(d: Decoder, buf: Buffer, off: number, end: number): number {
  if (end - off < 8) return NOT_TUNNEL;
  const flags = buf[off];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0 || buf[off + 1] !== 0xff) return NOT_TUNNEL;
  let o = off + 8;
  if (flags & 0x07) {
    if (end - o < 4) return NOT_TUNNEL;
    let next = buf[o + 3];
    o += 4;
    for (let n = 0; next !== 0; n++) {
      if (n >= MAX_EXTENSIONS || end - o < 4) return NOT_TUNNEL;
      const len = buf[o] << 2;
      if (len === 0 || o + len > end) return NOT_TUNNEL;
      next = buf[o + len - 1];
      o += len;
    }
  }
  if (o >= end) return NOT_TUNNEL;
  const v = buf[o] >> 4;
  if (v !== 4 && v !== 6) return NOT_TUNNEL;
  const t = enterTunnel(d, Tunnel.Gtp);
  if (t !== DecodeResult.Ok) return t;
  return v === 4 ? decodeIpv4(d, buf, o, end) : decodeIpv6(d, buf, o, end);
}
