/**
 * The dispatcher: the PacketHandler of the capture thread when flowtap runs
 * worker threads (`-n N`, N > 1). The sources (capture files, standard
 * input, playlists, live capture) call it as they would call the Probe; it
 * applies the BPF filter of capture files (-f; live capture filters in the
 * kernel), picks each frame's worker from its address pair (partition.ts)
 * and copies the frame into that worker's packet ring (packet-ring.ts).
 *
 * Publishing: a ring's new frames become visible to its worker every 64 KiB
 * and at the end of each chunk the source delivers (an immediate callback
 * queued by the first frame after a publish runs once the source's
 * synchronous chunk parsing returns), never once per frame.
 *
 * The packet clock of capture files: a single Probe runs expiry when a
 * packet's time reaches the next whole second after the previous expiry
 * (src/probe.ts); the dispatcher applies the same rule to the whole stream
 * and puts a TICK marker into every ring at that point, and the workers run
 * expiry on the markers only (not on their own packets). Each worker's flows
 * therefore end at the same packets as they would with one thread, however
 * the traffic is spread. Live capture sends no markers: each worker runs
 * expiry on the wall clock (src/capture/live-expiry.ts), as one thread does.
 *
 * A worker whose ring is gone (the worker failed: worker-pool.ts reports it)
 * gets no more frames: they are counted in `lost`.
 */
import { AdmittingHandler } from '../capture/admitting-handler';
import type { BpfFilter } from '../capture/bpf-filter';
import { Mark, PacketRingProducer, type PacketRingShared } from './packet-ring';
import { workerOf } from './partition';

export interface DispatcherOptions {
  /** BPF filter run here (capture files). */
  filter?: BpfFilter;
  /** Put expiry markers on the packet clock into the rings (capture files). */
  packetClock: boolean;
  /** How long a full ring waits for a worker that shows no sign of life (default packet-ring.ts STALL_MS). */
  stallMs?: number;
}

/** Expiry period on the packet clock: the Probe's. */
const EXPIRY_INTERVAL_MS = 1000;

export class PacketDispatcher extends AdmittingHandler {
  private readonly rings: PacketRingProducer[];
  private readonly n: number;
  private readonly packetClock: boolean;
  private nextExpiryMs = -Infinity;
  private scheduled = false;
  private closed = false;
  private readonly publishAll = (): void => {
    this.scheduled = false;
    if (!this.closed) this.publish();
  };


  constructor(rings: readonly PacketRingShared[], opts: DispatcherOptions) {
    super(opts.filter);
    this.rings = rings.map((r) => new PacketRingProducer(r));
    if (opts.stallMs !== undefined) for (const r of this.rings) r.stallMs = opts.stallMs;
    this.n = rings.length;
    this.packetClock = opts.packetClock;
  }

  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    if (!this.admit(linkType, buf, off, caplen, wireLen)) return;
    if (this.packetClock && tsMs >= this.nextExpiryMs) this.tick(tsMs);
    const w = workerOf(linkType, buf, off, caplen, this.n);
    this.rings[w].push(linkType, buf, off, caplen, wireLen, tsMs);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.publishAll);
    }
  }

  private tick(tsMs: number): void {
    this.nextExpiryMs = tsMs + EXPIRY_INTERVAL_MS;
    for (let w = 0; w < this.n; w++) this.rings[w].mark(Mark.Tick, tsMs);
  }

  /** Makes every frame copied so far visible to the workers. */
  publish(): void {
    for (const r of this.rings) r.publish();
  }

  /** End of input: the workers get the last frames and see their rings closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.rings) r.close();
  }

  /** Frames not delivered because their worker had stopped. */
  get lost(): number {
    let n = 0;
    for (const r of this.rings) n += r.lost;
    return n;
  }

  /** Frames longer than a ring takes whole, cut short. */
  get cut(): number {
    let n = 0;
    for (const r of this.rings) n += r.cut;
    return n;
  }
}
