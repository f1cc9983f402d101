/**
 * VXLAN (RFC 7348): the 8-byte header with the I flag (valid VNI) set, then
 * an Ethernet frame. The VNI is not kept. VXLAN-GPE and Geneve are not opened.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Tunnel } from './packet';
import { NOT_TUNNEL, enterTunnel } from './transport';
import { decodeEthernet } from './ethernet';

export function decodeVxlan(d: Decoder, buf: Buffer, off: number, end: number): number {
  if (end - off < 8 + 14 || (buf[off] & 0x08) === 0) return NOT_TUNNEL;
  const t = enterTunnel(d, Tunnel.Vxlan);
  if (t !== DecodeResult.Ok) return t;
  return decodeEthernet(d, buf, off + 8, end);
}
