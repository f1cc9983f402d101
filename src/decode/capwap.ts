/**
 * CAPWAP data channel (RFC 5415, 4.3; RFC 5416 for IEEE 802.11 bindings):
 * preamble version 0 and type 0 (clear text; DTLS-protected data is left as
 * UDP), header length HLEN in 4-byte words, wireless binding id and the T bit
 * (native 802.11 frame when set, 802.3 frame otherwise; Cisco's byte-swapped
 * 802.11 frame control is recognised). Fragmented CAPWAP
 * payloads and keep-alives carry no frame to open.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Tunnel } from './packet';
import { NOT_TUNNEL, enterTunnel } from './transport';
import { decodeEthernet } from './ethernet';
import { decodeIeee80211 } from './ieee80211';

export function decodeCapwapData(d: Decoder, buf: Buffer, off: number, end: number): number {
  if (end - off < 8 || buf[off] !== 0) return NOT_TUNNEL;
  const w = (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
  const hlen = ((w >> 19) & 0x1f) << 2;
  const wbid = (w >> 9) & 0x1f;
  const native = (w >> 8) & 1;
  const fragment = (w >> 7) & 1;
  const keepAlive = (w >> 3) & 1;
  if (hlen < 8 || off + hlen >= end || fragment || keepAlive) return NOT_TUNNEL;
  const t = enterTunnel(d, Tunnel.Capwap);
  if (t !== DecodeResult.Ok) return t;
  if (native && wbid === 1) {
    const o = off + hlen;
    // Cisco controllers byte-swap the 802.11 frame control. The protocol version bits (always 0)
    // tell the orders apart; when both readings are valid, take the one that gives a data frame.
    let swapped = false;
    if (end - o >= 2) {
      const normalOk = (buf[o] & 3) === 0;
      const swappedOk = (buf[o + 1] & 3) === 0;
      swapped = swappedOk && (!normalOk || (((buf[o] >> 2) & 3) !== 2 && ((buf[o + 1] >> 2) & 3) === 2));
    }
    return decodeIeee80211(d, buf, o, end, swapped);
  }
  return decodeEthernet(d, buf, off + hlen, end);
}
