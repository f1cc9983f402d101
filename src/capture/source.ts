/**
 * The PacketSource interface: anything that yields captured frames (pcap and
 * pcapng files, gzip-compressed files, standard input, playlists, and later
 * live capture helpers) delivers them through a PacketHandler.
 *
 * Frames are handed over as a view into the source's own read buffer
 * (`buf`, `off`, `caplen`): the handler must finish with the bytes before it
 * returns, because the buffer is reused for the next frame. Nothing is
 * allocated per frame.
 */

/** libpcap LINKTYPE_* values that flowtap decodes (https://www.tcpdump.org/linktypes.html). */
export const enum LinkType {
  Null = 0,
  Ethernet = 1,
  Ppp = 9,
  /** DLT_RAW as written by most systems (LINKTYPE_RAW is 101). */
  RawDlt12 = 12,
  /** DLT_RAW as written by OpenBSD. */
  RawDlt14 = 14,
  PppHdlc = 50,
  RawIp = 101,
  Ieee80211 = 105,
  Radiotap = 127,
  CiscoHdlc = 104,
  Loop = 108,
  LinuxSll = 113,
  Ppi = 192,
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,
}

export interface PacketHandler {
  /**
   * One captured frame.
   * @param linkType the interface's LINKTYPE_* value
   * @param buf      buffer holding the frame (reused after the call returns)
   * @param off      offset of the frame's first byte in buf
   * @param caplen   bytes captured
   * @param wireLen  frame length on the wire (>= caplen)
   * @param tsMs     capture time in milliseconds since the epoch (fractional)
   */
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void;
}

export interface SourceStats {
  /** Frames delivered to the handler. */
  packets: number;
  /** Bytes on the wire of the delivered frames. */
  bytes: number;
  /** Bytes read from the input (after decompression). */
  bytesRead: number;
  /** Number of capture files opened (a playlist opens several). */
  files: number;
}

export interface PacketSource {
  /** Human-readable name of the input, used in messages ("file.pcap", "stdin"). */
  readonly name: string;
  readonly stats: SourceStats;
  /**
   * Reads every frame and hands it to the handler. Resolves at the end of the
   * input; rejects with a CaptureError (frames before the failure point have
   * already been delivered).
   */
  run(handler: PacketHandler): Promise<void>;
}
