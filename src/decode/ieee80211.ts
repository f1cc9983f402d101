/**
 * IEEE 802.11 data frames (IEEE Std 802.11-2020, 9.2/9.3.2): frame control,
 * the 24-byte MAC header, the fourth address when both DS bits are set, the
 * QoS control field and HT control field, then an 802.2 LLC/SNAP header
 * carrying an EtherType. Management and control frames, protected (encrypted)
 * frames and A-MSDU aggregates are counted as non-IP. Cisco wireless
 * controllers send the two frame-control bytes swapped inside CAPWAP; the
 * caller says when to read them that way.
 */
import type { Decoder } from './decoder';
import { DecodeResult, Malformed } from './packet';
import { decodeLlc } from './ethernet';

export function decodeIeee80211(d: Decoder, buf: Buffer, off: number, end: number, swappedFc = false): DecodeResult {
  if (end - off < 24) return d.fail(Malformed.LinkTruncated);
  const fc0 = swappedFc ? buf[off + 1] : buf[off];
  const fc1 = swappedFc ? buf[off] : buf[off + 1];
  const type = (fc0 >> 2) & 3;
  const subtype = (fc0 >> 4) & 15;
  if (type !== 2) return DecodeResult.NotIp;
  // Null-data subtypes (4 and 12) carry no frame body.
  if ((subtype & 4) !== 0) return DecodeResult.NotIp;
  if ((fc1 & 0x40) !== 0) return DecodeResult.NotIp;
  let hdr = 24;
  if ((fc1 & 3) === 3) hdr += 6;
  if ((subtype & 8) !== 0) {
    if (off + hdr + 2 > end) return d.fail(Malformed.LinkTruncated);
    // A-MSDU present bit in the QoS control field.
    if ((buf[off + hdr] & 0x80) !== 0) return DecodeResult.NotIp;
    hdr += 2;
    if ((fc1 & 0x80) !== 0) hdr += 4;
  }
  return decodeLlc(d, buf, off + hdr, end);
}
