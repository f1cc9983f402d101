/**
 * TZSP, TaZmen Sniffer Protocol (as documented by its authors and Wireshark's
 * dissector notes): version 1, type 0 (received) or 1 (transmitted), the
 * encapsulated protocol (1 Ethernet, 18 IEEE 802.11), tagged fields up to the
 * END tag, then the frame. Tag contents (signal strength, rates ...) are
 * ignored.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Tunnel } from './packet';
import { NOT_TUNNEL, enterTunnel } from './transport';
import { decodeEthernet } from './ethernet';
import { decodeIeee80211 } from './ieee80211';

const TAG_PADDING = 0;
const TAG_END = 1;

export function decodeTzsp(d: Decoder, buf: Buffer, off: number, end: number): number {
  if (end - off < 5 || buf[off] !== 1 || buf[off + 1] > 1) return NOT_TUNNEL;
  const encap = (buf[off + 2] << 8) | buf[off + 3];
  if (encap !== 1 && encap !== 18) return NOT_TUNNEL;
  let o = off + 4;
  for (;;) {
    if (o >= end) return NOT_TUNNEL;
    const tag = buf[o];
    if (tag === TAG_END) {
      o++;
      break;
    }
    if (tag === TAG_PADDING) {
      o++;
      continue;
    }
    if (o + 2 > end) return NOT_TUNNEL;
    o += 2 + buf[o + 1];
  }
  const t = enterTunnel(d, Tunnel.Tzsp);
  if (t !== DecodeResult.Ok) return t;
  return encap === 1 ? decodeEthernet(d, buf, o, end) : decodeIeee80211(d, buf, o, end);
}
