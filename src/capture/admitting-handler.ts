/**
 * The first step of the packet handlers that take a source's frames (the
 * Probe on one thread; the dispatcher in front of worker threads): counts
 * every frame and its wire bytes as received, and applies the BPF filter of
 * capture files (-f; live capture filters in the kernel), counting the
 * frames it drops.
 */
import type { BpfFilter } from './bpf-filter';
import type { PacketHandler } from './source';

export abstract class AdmittingHandler implements PacketHandler {
  /** Frames received from the source (filtered ones included). */
  packets = 0;
  /** Wire bytes of the frames received. */
  bytes = 0;
  /** Frames dropped by the BPF filter. */
  filtered = 0;

  constructor(private readonly filter: BpfFilter | undefined) {}

  abstract onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void;

  /** Counts the frame; false when the filter drops it. */
  protected admit(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number): boolean {
    this.packets++;
    this.bytes += wireLen;
    if (this.filter !== undefined && !this.filter.matches(linkType, buf, off, caplen, wireLen)) {
      this.filtered++;
      return false;
    }
    return true;
  }
}
