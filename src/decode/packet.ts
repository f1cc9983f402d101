/**
 * DecodedPacket: the one reusable structure each decoding layer fills in.
 * One instance per worker is reused for every frame, so decoding allocates
 * nothing. Views (`buf`, offsets, lengths) point into the capture's read
 * buffer or into a fragment-reassembly buffer and are valid until the next
 * frame is decoded.
 */

/** Outcome of decoding one frame. */
export const enum DecodeResult {
  /** An IP packet with its flow key fields filled in. */
  Ok = 0,
  /** A well-formed frame that carries no IP (ARP, STP, LLDP ...). */
  NotIp = 1,
  /** The capture's link type is not one flowtap decodes. */
  UnsupportedLink = 2,
  /** A fragment stored for reassembly whose flow is not known yet (no first fragment). */
  FragmentHeld = 3,
  /** Malformed: the reason is in DecodedPacket.malformed. */
  Malformed = 4,
}

/** Why a frame was rejected; index into the malformed counters. */
export const enum Malformed {
  None = 0,
  LinkTruncated,
  LinkBadHeader,
  VlanTruncated,
  MplsTruncated,
  PppoeTruncated,
  Ipv4Truncated,
  Ipv4BadVersion,
  Ipv4BadHeaderLength,
  Ipv4BadTotalLength,
  Ipv6Truncated,
  Ipv6BadExtensionHeader,
  Ipv6BadPayloadLength,
  TcpTruncated,
  TcpBadDataOffset,
  UdpTruncated,
  UdpBadLength,
  IcmpTruncated,
  SctpTruncated,
  TunnelTruncated,
  TunnelTooDeep,
  FragmentBad,
  FragmentTooLarge,
  Count,
}

export const MALFORMED_NAMES: readonly string[] = [
  'none',
  'link_truncated',
  'link_bad_header',
  'vlan_truncated',
  'mpls_truncated',
  'pppoe_truncated',
  'ipv4_truncated',
  'ipv4_bad_version',
  'ipv4_bad_header_length',
  'ipv4_bad_total_length',
  'ipv6_truncated',
  'ipv6_bad_extension_header',
  'ipv6_bad_payload_length',
  'tcp_truncated',
  'tcp_bad_data_offset',
  'udp_truncated',
  'udp_bad_length',
  'icmp_truncated',
  'sctp_truncated',
  'tunnel_truncated',
  'tunnel_too_deep',
  'fragment_bad',
  'fragment_too_large',
];

/** Encapsulation a flow was found in (recorded on the flow as `tunnel`). */
export const enum Tunnel {
  None = 0,
  Gtp = 1,
  Vxlan = 2,
  Gre = 3,
  Erspan = 4,
  IpIp = 5,
  SixIn4 = 6,
  Capwap = 7,
  Tzsp = 8,
}

export const TUNNEL_NAMES: readonly string[] = ['', 'GTP', 'VXLAN', 'GRE', 'ERSPAN', 'IPIP', '6in4', 'CAPWAP', 'TZSP'];

/** IP protocol numbers used by the decoders. */
export const enum IpProto {
  HopByHop = 0,
  Icmp = 1,
  Igmp = 2,
  IpIp = 4,
  Tcp = 6,
  Udp = 17,
  Ipv6 = 41,
  Ipv6Route = 43,
  Ipv6Frag = 44,
  Gre = 47,
  Esp = 50,
  Ah = 51,
  Icmpv6 = 58,
  Ipv6NoNext = 59,
  Ipv6Opts = 60,
  Sctp = 132,
  Mobility = 135,
  Hip = 139,
  Shim6 = 140,
}

const EMPTY = Buffer.alloc(0);

export class DecodedPacket {
  /** Buffer holding the innermost IP packet (the frame, or a reassembly buffer). */
  buf: Buffer = EMPTY;
  tsMs = 0;
  /** Length on the wire of the frame being decoded. */
  wireLen = 0;
  /**
   * Bytes of the frame not captured (wire length minus captured length, e.g.
   * cut by the snap length). An IP length that reaches beyond the captured
   * bytes plus these is a malformed packet, not a short capture.
   */
  uncaptured = 0;
  linkType = 0;

  /** 802.1Q VLAN id (the outermost tag), 0 when untagged. */
  vlanId = 0;
  /** Tunnel type (Tunnel enum) of the outermost decapsulated tunnel. */
  tunnel = 0;
  /** Nesting depth of decapsulation (bounded). */
  depth = 0;

  /** 4 or 6 for the innermost IP header. */
  ipVersion = 0;
  /** Offset of the innermost IP header in buf (for a reassembled datagram: of the first fragment's header). */
  ipOff = 0;
  ttl = 0;
  /**
   * Addresses as 32-bit words, network order: [0..3] source, [4..7] destination.
   * IPv4 uses words 0 and 4 only (the rest are zero).
   */
  readonly addr = new Int32Array(8);
  /** L4 protocol number (after IPv6 extension headers). */
  proto = 0;
  /** Offset and length of the L4 header and payload in buf. */
  l4Off = 0;
  l4Len = 0;
  srcPort = 0;
  dstPort = 0;

  /** TCP header fields; options kept as a view for fingerprinting. */
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  tcpOptOff = 0;
  tcpOptLen = 0;

  icmpType = 0;
  icmpCode = 0;

  /** Application payload view in buf (0 length for a non-final fragment). */
  payloadOff = 0;
  payloadLen = 0;

  /** True when the payload is a reassembled datagram (several fragments). */
  reassembled = false;
  /** True for an IP fragment (first or not). */
  fragment = false;

  /** Malformed reason when decode() returned DecodeResult.Malformed. */
  malformed = 0;

  /**
   * How many captured frames and wire bytes this decoded packet stands for:
   * 1 and the frame's length, except when a first fragment arrives after
   * later fragments of its datagram were held (they are counted with it).
   */
  frames = 1;
  frameBytes = 0;

  reset(): void {
    this.vlanId = 0;
    this.tunnel = 0;
    this.depth = 0;
    this.ipVersion = 0;
    this.proto = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpOptLen = 0;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.payloadOff = 0;
    this.payloadLen = 0;
    this.l4Len = 0;
    this.reassembled = false;
    this.fragment = false;
    this.malformed = 0;
    this.frames = 1;
    // addr is not cleared: every IPv4 and IPv6 header decoder writes all eight words.
  }
}
