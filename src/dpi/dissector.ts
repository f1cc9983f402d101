/**
 * What a dissector is: one descriptor per protocol file in protocols/, and
 * the context the engine hands it for each packet.
 *
 * A dissector is called for payload-carrying packets of a flow until it
 * returns a final verdict or its packet budget runs out:
 *   Continue  - not sure yet, show me the next packet;
 *   Detected  - this is my protocol (ctx.detect() was called, or the engine
 *               labels the flow with the descriptor's id); keep sending me
 *               packets of this flow for metadata (up to the budget);
 *   Done      - detected and the metadata is complete;
 *   Exclude   - this flow cannot be my protocol; never call me again for it.
 * dissect() must never throw or allocate on the common path; strings are
 * made only for metadata (once per flow).
 */
import type { Cursor } from './cursor';
import type { FlowDpi } from './flow-dpi';
import type { MetaField, MetaValue } from './meta';

/**
 * First payload packets shorter than this are "short": the first-byte, byte
 * and length declarations do not apply to them, only FirstPacket.short.
 */
export const FIRST_BYTE_MIN_LEN = 16;

/** Byte values and inclusive [from, to] ranges (see Dissector.tcpFirstBytes). */
export type FirstBytes = readonly (number | readonly [number, number])[];

/** The byte values (0-255) for which test holds, for FirstBytes declarations of bit patterns. */
export function byteValues(test: (b: number) => boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < 256; b++) if (test(b)) out.push(b);
  return out;
}

/**
 * More of what a flow's first payload packet of at least FIRST_BYTE_MIN_LEN
 * bytes must look like for a dissector (see Dissector.tcpFirstPacket).
 */
export interface FirstPacket {
  /** [offset, values]: the values the byte at offset (1 to FIRST_BYTE_MIN_LEN - 1) may take. */
  readonly bytes?: readonly (readonly [number, FirstBytes])[];
  /** Inclusive bounds of the packet's length. */
  readonly minLen?: number;
  readonly maxLen?: number;
  /**
   * The bytes a short first packet (1 to FIRST_BYTE_MIN_LEN - 1 bytes, either
   * direction, any port) can begin with for this dissector not to return
   * Exclude: on any other first byte it returns Exclude without labelling,
   * setting metadata or raising a risk. [] when it excludes every short first
   * packet. Absent: any byte (no short first packet is filtered out).
   */
  readonly short?: FirstBytes;
}

export const enum Verdict {
  Continue = 0,
  Detected = 1,
  Done = 2,
  Exclude = 3,
}

/** Transports a dissector runs on (bits). */
export const enum On {
  Tcp = 1,
  Udp = 2,
  TcpUdp = 3,
}

export const enum Dir {
  /** Client to server (the client sent the flow's first packet). */
  C2S = 0,
  S2C = 1,
}

export interface Dissector {
  /** nDPI protocol id of what it detects (P.xxx). */
  readonly id: number;
  /** Other ids it may label flows with through ctx.detect() (sub-protocols, apps over it). */
  readonly alsoDetects?: readonly number[];
  /** Transports (On bits). */
  readonly on: number;
  /** Default server ports; they make it the first dissector tried there and feed the port guess. */
  readonly tcpPorts?: readonly number[];
  readonly udpPorts?: readonly number[];
  /** Payload packets of a flow (both directions together) after which the engine gives up on it. */
  readonly budget: number;
  /** TCP only: receive the in-order byte stream of each direction (first 16 KiB) instead of single segments. */
  readonly stream?: boolean;
  /** A loose heuristic (RTP, Skype...): tried after every other dissector. */
  readonly weak?: boolean;
  /**
   * Tried before the other dissectors of its transport (after the port
   * hints): for the most common protocols, whose first bytes no other
   * dissector claims, so most flows on unusual ports are classified without
   * a sweep over the whole registry.
   */
  readonly early?: boolean;
  /**
   * The bytes this protocol's traffic can begin with, per transport: for the
   * flow's first payload packet (either direction) of at least
   * FIRST_BYTE_MIN_LEN bytes, the dissector returns Exclude on every first
   * byte not listed (single values, or inclusive [from, to] ranges). The
   * engine then excludes it on such a packet without calling it: the
   * prefilter (prefilter.ts) turns these lists into one exclusion mask per byte value, so a
   * flow nothing claims is not swept through every dissector's code. The
   * contract test checks the promise. Absent: any first byte.
   */
  readonly tcpFirstBytes?: FirstBytes;
  readonly udpFirstBytes?: FirstBytes;
  /**
   * The same promise for the next bytes and the length of that first
   * packet: the dissector returns Exclude, without labelling, setting
   * metadata or raising a risk, on a first packet (of at least
   * FIRST_BYTE_MIN_LEN bytes, either direction, any port) whose byte at one
   * of the listed offsets is not among its values, or whose length is out of
   * bounds; the engine excludes it there without calling it
   * (see prefilter.ts). Only what the dissector's code enforces on a flow's
   * first packet may be declared; the contract test checks it.
   */
  readonly tcpFirstPacket?: FirstPacket;
  readonly udpFirstPacket?: FirstPacket;
  /** Metadata fields it may set. */
  readonly fields: readonly MetaField[];
  /** One line for docs/protocols.md: what it recognises and which specification it follows. */
  readonly doc: string;
  dissect(ctx: DissectContext): Verdict;
}

/**
 * The per-packet view a dissector gets. One object is reused by the engine;
 * never keep a reference to it or to ctx.buf past the call.
 */
export interface DissectContext {
  /** Payload bytes are buf[off, off + len). For stream dissectors: the direction's stream from its first byte. */
  readonly buf: Buffer;
  readonly off: number;
  readonly len: number;
  /** A cursor already reset to the payload view. */
  readonly cur: Cursor;
  /** Direction of this packet. */
  readonly dir: Dir;
  /** IP protocol number (6 TCP, 17 UDP). */
  readonly l4: number;
  /** Ports of this packet. */
  readonly srcPort: number;
  readonly dstPort: number;
  /** Ports of the flow's client and server. */
  readonly clientPort: number;
  readonly serverPort: number;
  /** Payload packets seen before this one in this direction, and in the whole flow. */
  readonly dirIndex: number;
  readonly flowIndex: number;
  /** Payload packets seen so far per direction, this one included. */
  readonly c2sPackets: number;
  readonly s2cPackets: number;
  /** Packet time, ms since the epoch. */
  readonly tsMs: number;
  /** Address of this packet's source/destination: 4 words (IPv4 in word 0); ipVersion 4 or 6. */
  readonly ipVersion: number;
  readonly srcAddr: Int32Array;
  readonly srcAddrOff: number;
  readonly dstAddr: Int32Array;
  readonly dstAddrOff: number;
  /** The flow's DPI result so far (label, metadata, risks). */
  readonly flow: FlowDpi;
  /** This dissector's own per-flow state (undefined until set); freed with the flow's DPI state. */
  state: unknown;
  /** Labels the flow: app protocol id, and the master protocol carrying it (0 when none). */
  detect(app: number, master?: number): void;
  /** Sets a declared metadata field (first value wins unless overwrite). */
  set(field: MetaField, value: MetaValue, overwrite?: boolean): void;
  /** Raises an nDPI flow risk (Risk.xxx), with an optional explanation. */
  risk(risk: number, info?: string): void;
}
