/**
 * Which worker thread a captured frame goes to (`-n N`): a symmetric hash of
 * the frame's outer IP address pair, so both directions of a flow, and every
 * packet between the same two hosts, reach the same worker.
 *
 * Why the address pair and not the 5-tuple: the ports are missing from IP
 * fragments after the first, and several flows between the same two hosts
 * belong together: an ICMP error the destination host sends about a flow,
 * FTP data connections, SIP/RTP media, which DPI associates with each other.
 * Keying on addresses only keeps all of them on one worker. The limit: the
 * traffic between one pair of hosts (one big transfer, one tunnel: GRE,
 * GTP-U, VXLAN and IP-in-IP flows are placed by their OUTER addresses) cannot
 * be spread over several workers. An ICMP error sent by a router on the path
 * is a flow between the router and the source, placed by that pair.
 *
 * Only what is needed to find the addresses is read (no allocation, no
 * validation beyond bounds): the link layers the decoder supports
 * (src/decode/link.ts: Ethernet and 802.3 LLC/SNAP, 802.1Q/802.1ad/QinQ tags,
 * MPLS label stacks (IPv4, IPv6, or an Ethernet pseudowire after a control
 * word), PPPoE sessions, Linux cooked v1/v2, raw IP, BSD null/loopback, PPP,
 * Cisco HDLC, PPI, 802.11 and radiotap data frames), then the IPv4 or IPv6
 * header's addresses. A frame it cannot place (not IP, an unknown link type,
 * truncated) goes to worker 0, whose decoder counts it as it would have with
 * one worker.
 */

/** Worker of frames that carry no IP address pair. */
export const UNPLACED_WORKER = 0;

/** Most link-layer encapsulations walked before giving up (tags, labels, pseudowires). */
const MAX_LAYERS = 24;

/** Where the IPv4/IPv6 header starts in buf, or -1 when the frame carries none that can be read. */
export function ipHeaderOffset(linkType: number, buf: Uint8Array, off: number, end: number): number {
  switch (linkType) {
    case 1:
      return ethernet(buf, off, end, 0);
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return off;
    case 113:
      return end - off < 16 ? -1 : sll(buf, (buf[off + 2] << 8) | buf[off + 3], (buf[off + 14] << 8) | buf[off + 15], off + 16, end);
    case 276:
      return end - off < 20 ? -1 : sll(buf, (buf[off + 8] << 8) | buf[off + 9], (buf[off] << 8) | buf[off + 1], off + 20, end);
    case 0:
    case 108:
      return nullLoop(buf, off, end, linkType === 108);
    case 9:
    case 50:
      return ppp(buf, off, end);
    case 104:
      return end - off < 4 ? -1 : etherType(buf, (buf[off + 2] << 8) | buf[off + 3], off + 4, end, 0);
    case 192:
      return ppi(buf, off, end);
    case 105:
      return ieee80211(buf, off, end);
    case 127:
      return radiotap(buf, off, end);
    default:
      return -1;
  }
}

function ethernet(buf: Uint8Array, off: number, end: number, depth: number): number {
  if (end - off < 14) return -1;
  return etherType(buf, (buf[off + 12] << 8) | buf[off + 13], off + 14, end, depth);
}

function llc(buf: Uint8Array, off: number, end: number, depth: number): number {
  if (end - off < 8 || buf[off] !== 0xaa || buf[off + 1] !== 0xaa || buf[off + 2] !== 0x03) return -1;
  return etherType(buf, (buf[off + 6] << 8) | buf[off + 7], off + 8, end, depth);
}

function etherType(buf: Uint8Array, type: number, off: number, end: number, depth: number): number {
  for (;;) {
    if (++depth > MAX_LAYERS) return -1;
    switch (type) {
      case 0x0800:
      case 0x86dd:
        return off;
      case 0x8100:
      case 0x88a8:
      case 0x9100:
        if (end - off < 4) return -1;
        type = (buf[off + 2] << 8) | buf[off + 3];
        off += 4;
        continue;
      case 0x8847:
      case 0x8848:
        return mpls(buf, off, end, depth);
      case 0x8864:
        // PPPoE session: 6-byte header, then the PPP protocol field.
        if (end - off < 8) return -1;
        return pppProtocol((buf[off + 6] << 8) | buf[off + 7], off + 8);
      default:
        return type < 0x0600 ? llc(buf, off, end, depth) : -1;
    }
  }
}

function mpls(buf: Uint8Array, off: number, end: number, depth: number): number {
  for (;;) {
    if (end - off < 4 || ++depth > MAX_LAYERS) return -1;
    const bottom = buf[off + 2] & 1;
    off += 4;
    if (bottom) break;
  }
  if (end - off < 1) return -1;
  const nibble = buf[off] >> 4;
  if (nibble === 4 || nibble === 6) return off;
  // A pseudowire control word, then an Ethernet frame.
  if (nibble === 0) return ethernet(buf, off + 4, end, depth);
  return -1;
}

function sll(buf: Uint8Array, arphrd: number, proto: number, off: number, end: number): number {
  if (arphrd === 824) return -1;
  if (arphrd === 803) return radiotap(buf, off, end);
  if (arphrd !== 778 && (proto === 0x0001 || proto === 0x0004)) return -1;
  return etherType(buf, proto, off, end, 0);
}

function nullLoop(buf: Uint8Array, off: number, end: number, networkOrder: boolean): number {
  if (end - off < 4) return -1;
  let family: number;
  if (networkOrder) family = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
  else if (buf[off] !== 0 || buf[off + 1] !== 0) family = buf[off] | (buf[off + 1] << 8);
  else family = (buf[off + 2] << 8) | buf[off + 3];
  return family === 2 || family === 10 || family === 24 || family === 28 || family === 30 ? off + 4 : -1;
}

function pppProtocol(proto: number, off: number): number {
  return proto === 0x0021 || proto === 0x0057 ? off : -1;
}

function ppp(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return -1;
  // Cisco HDLC framing inside a PPP capture (address 0x0F/0x8F, control 0).
  if ((buf[off] === 0x0f || buf[off] === 0x8f) && buf[off + 1] === 0x00) {
    return end - off < 4 ? -1 : etherType(buf, (buf[off + 2] << 8) | buf[off + 3], off + 4, end, 0);
  }
  if (buf[off] === 0xff && buf[off + 1] === 0x03) off += 2;
  if (end - off < 1) return -1;
  if (buf[off] & 1) return pppProtocol(buf[off], off + 1);
  if (end - off < 2) return -1;
  const proto = (buf[off] << 8) | buf[off + 1];
  // MPLS unicast over PPP.
  if (proto === 0x0281) return mpls(buf, off + 2, end, 0);
  return pppProtocol(proto, off + 2);
}

function ppi(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return -1;
  const len = buf[off + 2] | (buf[off + 3] << 8);
  const dlt = buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24);
  if (len < 8 || off + len > end) return -1;
  if (dlt === 1) return ethernet(buf, off + len, end, 0);
  if (dlt === 105) return ieee80211(buf, off + len, end);
  return -1;
}

function radiotap(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return -1;
  const len = buf[off + 2] | (buf[off + 3] << 8);
  if (len < 8 || off + len > end) return -1;
  return ieee80211(buf, off + len, end);
}

/** 802.11 data frames with a body (not protected, not an A-MSDU): the LLC/SNAP header after the MAC header. */
function ieee80211(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 24) return -1;
  const fc0 = buf[off];
  const fc1 = buf[off + 1];
  const subtype = (fc0 >> 4) & 15;
  if (((fc0 >> 2) & 3) !== 2 || (subtype & 4) !== 0 || (fc1 & 0x40) !== 0) return -1;
  let hdr = 24;
  if ((fc1 & 3) === 3) hdr += 6;
  if ((subtype & 8) !== 0) {
    if (off + hdr + 2 > end || (buf[off + hdr] & 0x80) !== 0) return -1;
    hdr += 2;
    if ((fc1 & 0x80) !== 0) hdr += 4;
  }
  return llc(buf, off + hdr, end, 0);
}

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** An order-independent hash of two 32-bit values (the smaller one and the larger one, each mixed). */
function pairHash(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return fmix32(Math.imul(fmix32(lo), 0x9e3779b1) ^ hi);
}

function word(buf: Uint8Array, p: number): number {
  return (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
}

/** The four words of an IPv6 address folded into one 32-bit value. */
function fold6(buf: Uint8Array, p: number): number {
  return fmix32(fmix32(fmix32(word(buf, p) ^ 0x6b43a9b5) ^ word(buf, p + 4)) ^ word(buf, p + 8)) ^ word(buf, p + 12);
}

/**
 * The symmetric hash of the IP header at buf[ip]: the same value for (a, b)
 * and (b, a); -1 when the header is not IPv4/IPv6 or its addresses are cut off.
 */
export function addressPairHash(buf: Uint8Array, ip: number, end: number): number {
  if (ip < 0 || ip >= end) return -1;
  const v = buf[ip] >> 4;
  if (v === 4) {
    if (end - ip < 20) return -1;
    return pairHash(word(buf, ip + 12), word(buf, ip + 16)) >>> 0;
  }
  if (v === 6) {
    if (end - ip < 40) return -1;
    return (pairHash(fold6(buf, ip + 8), fold6(buf, ip + 24)) ^ 0x3c6ef372) >>> 0;
  }
  return -1;
}

/** The worker (0 to workers - 1) of a frame: by its address pair, or UNPLACED_WORKER. */
export function workerOf(linkType: number, buf: Uint8Array, off: number, caplen: number, workers: number): number {
  const end = off + caplen;
  const h = addressPairHash(buf, ipHeaderOffset(linkType, buf, off, end), end);
  if (h < 0) return UNPLACED_WORKER;
  // The top 16 bits scaled to [0, workers): no division, an even split for any worker count up to 64.
  return ((h >>> 16) * workers) >>> 16;
}
