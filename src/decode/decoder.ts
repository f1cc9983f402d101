/**
 * Decoder: entry point of the decoding stage. Dispatches a captured frame by
 * its link type to the layer decoders (one file per layer in this folder),
 * which fill the reusable DecodedPacket. Keeps the per-reason counters of
 * malformed frames. Never throws on packet data and allocates nothing per
 * frame.
 */
import { DecodedPacket, DecodeResult, Malformed, MALFORMED_NAMES } from './packet';
import { FragmentReassembler, ReassemblyOptions } from './reassembly';
import { decodeLinkLayer } from './link';

export interface DecoderOptions {
  /** Decapsulate tunnels (GTP-U, VXLAN, GRE/ERSPAN, IP-in-IP, CAPWAP, TZSP); default true. */
  tunnels?: boolean;
  reassembly?: ReassemblyOptions;
}

/** Maximum nesting of decapsulated tunnels before a frame is rejected. */
export const MAX_TUNNEL_DEPTH = 4;
/** Fields kept per saved outer header: 13 scalars and 8 address words. */
const SAVED_FIELDS = 21;

export class Decoder {
  readonly pkt = new DecodedPacket();
  readonly frag: FragmentReassembler;
  readonly tunnels: boolean;
  /** Malformed frames by reason (index: Malformed). */
  readonly malformed = new Float64Array(Malformed.Count);
  /** Frames with no IP inside (ARP, STP, LLDP ...). */
  nonIp = 0;
  /** Frames of link types flowtap does not decode, by link type. */
  readonly unsupportedLink = new Map<number, number>();
  /** Set while decoding the first fragment of a datagram: tunnels are only opened on whole datagrams. */
  inFragment = false;
  /** Saved outer headers, one frame per tunnel level (see saveOuter). */
  private readonly saved = new Float64Array((MAX_TUNNEL_DEPTH + 1) * SAVED_FIELDS);

  constructor(opts: DecoderOptions = {}) {
    this.tunnels = opts.tunnels !== false;
    this.frag = new FragmentReassembler(opts.reassembly);
  }

  decode(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): DecodeResult {
    const p = this.pkt;
    this.frag.releasePending();
    p.reset();
    p.buf = buf;
    p.tsMs = tsMs;
    p.wireLen = wireLen;
    p.uncaptured = wireLen > caplen ? wireLen - caplen : 0;
    p.frameBytes = wireLen;
    p.linkType = linkType;
    this.inFragment = false;
    const r = decodeLinkLayer(this, linkType, buf, off, off + caplen);
    if (r !== DecodeResult.Ok) {
      if (r === DecodeResult.Malformed) this.malformed[p.malformed]++;
      else if (r === DecodeResult.NotIp) this.nonIp++;
      else if (r === DecodeResult.UnsupportedLink) this.unsupportedLink.set(linkType, (this.unsupportedLink.get(linkType) ?? 0) + 1);
    }
    return r;
  }

  /**
   * Saves the packet's current (outer) L3/L4 fields before a tunnel is opened;
   * restoreOuter() puts them back when the tunnel turns out to carry no IP
   * packet, so the frame is accounted as the outer flow.
   */
  saveOuter(): number {
    const p = this.pkt;
    const slot = p.depth;
    const s = this.saved;
    const b = slot * SAVED_FIELDS;
    s[b] = p.tunnel; s[b + 1] = p.depth; s[b + 2] = p.vlanId; s[b + 3] = p.ipVersion;
    s[b + 4] = p.ipOff; s[b + 5] = p.ttl; s[b + 6] = p.proto; s[b + 7] = p.l4Off;
    s[b + 8] = p.l4Len; s[b + 9] = p.srcPort; s[b + 10] = p.dstPort; s[b + 11] = p.payloadOff;
    s[b + 12] = p.payloadLen;
    for (let i = 0; i < 8; i++) s[b + 13 + i] = p.addr[i];
    return slot;
  }

  restoreOuter(slot: number): void {
    const p = this.pkt;
    const s = this.saved;
    const b = slot * SAVED_FIELDS;
    p.tunnel = s[b]; p.depth = s[b + 1]; p.vlanId = s[b + 2]; p.ipVersion = s[b + 3];
    p.ipOff = s[b + 4]; p.ttl = s[b + 5]; p.proto = s[b + 6]; p.l4Off = s[b + 7];
    p.l4Len = s[b + 8]; p.srcPort = s[b + 9]; p.dstPort = s[b + 10]; p.payloadOff = s[b + 11];
    p.payloadLen = s[b + 12];
    for (let i = 0; i < 8; i++) p.addr[i] = s[b + 13 + i];
    p.tcpFlags = 0;
    p.tcpOptLen = 0;
    p.icmpType = 0;
    p.icmpCode = 0;
  }

  /** Records a malformed reason and returns DecodeResult.Malformed. */
  fail(reason: Malformed): DecodeResult {
    this.pkt.malformed = reason;
    return DecodeResult.Malformed;
  }

  /** Total malformed frames. */
  malformedTotal(): number {
    let n = 0;
    for (let i = 0; i < this.malformed.length; i++) n += this.malformed[i];
    return n;
  }

  /** Non-zero malformed counters by name. */
  malformedByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 1; i < this.malformed.length; i++) if (this.malformed[i] > 0) out[MALFORMED_NAMES[i]] = this.malformed[i];
    return out;
  }
}
