/**
 * The scan detectors: per source address and per window (a tumbling window
 * that starts at the source's first event and lasts `window` ms), the
 * distinct destination ports (port scans), the distinct destination hosts
 * (sweeps), and the TCP connection attempts that ended and how many of them
 * failed (no SYN-ACK: refused with a RST or never answered).
 *
 * Flow starts feed the port and host counters, so a scan is seen while it
 * runs; connection outcomes are only known when the flow ends (a refused
 * SYN after the 5 s closed-TCP timeout, an unanswered one after the 20 s
 * opening timeout), so the failed-connection ratio is fed at flow end.
 * Labels (the application of each flow) are fed when the DPI label is final
 * or at the flow's first record, and give the "mostly Skype" evidence.
 *
 * When a detector crosses its threshold, a pending alert opens and is raised
 * `hold` ms later (or when the window ends), so its evidence covers the
 * burst rather than stopping at the threshold; other detectors crossing in
 * the meantime join it (`triggers`). One alert per source per window, and
 * none within `realert` ms of the previous one for that source.
 *
 * Per-source state lives in typed arrays indexed by a bounded SourceIndex
 * (least recently active source evicted at max_sources, its pending alert
 * raised first).
 */
import { DistinctColumn } from './distinct';
import { SourceIndex, SourceOwner } from './source-index';
import { TopLabels } from './top-labels';
import type { ScanConfig } from './rules-config';
import { grown } from '../util/typed-grow';

export const PORT_SCAN = 'port-scan';
export const HOST_SWEEP = 'host-sweep';
export const FAILED_CONNECTIONS = 'failed-connections';

export interface PendingScan {
  slot: number;
  triggers: string[];
  due: number;
  communityIds: string[];
}

export class ScanTracker implements SourceOwner {
  private readonly cfg: ScanConfig;
  private readonly windowMs: number;
  private readonly realertMs: number;
  private readonly holdMs: number;
  windowStart: Float64Array = new Float64Array(0);
  flows: Uint32Array = new Uint32Array(0);
  attempts: Uint32Array = new Uint32Array(0);
  failed: Uint32Array = new Uint32Array(0);
  private lastAlert: Float64Array = new Float64Array(0);
  private alerted: Uint8Array = new Uint8Array(0);
  readonly ports: DistinctColumn;
  readonly hosts: DistinctColumn;
  readonly labels = new TopLabels();
  readonly pending = new Map<number, PendingScan>();
  readonly index: SourceIndex;
  /** Raises a pending alert (now -1: at the detector's clock). */
  private readonly raise: (p: PendingScan, now: number) => void;
  /** Told the due time of each new pending alert. */
  private readonly scheduled: (due: number) => void;

  /** Bytes of typed-array state per tracked source. */
  static readonly BYTES_PER_SOURCE = SourceIndex.BYTES_PER_SLOT + 2 * DistinctColumn.BYTES_PER_SLOT + TopLabels.BYTES_PER_SLOT + 8 + 12 + 8 + 1;

  constructor(cfg: ScanConfig, windowMs: number, realertMs: number, holdMs: number, maxSources: number, seed: number,
    raise: (p: PendingScan, now: number) => void, scheduled: (due: number) => void) {
    this.cfg = cfg;
    this.windowMs = windowMs;
    this.realertMs = realertMs;
    this.holdMs = holdMs;
    this.raise = raise;
    this.scheduled = scheduled;
    this.ports = new DistinctColumn(seed ^ 0x5bd1e995);
    this.hosts = new DistinctColumn(seed ^ 0x1b873593);
    this.index = new SourceIndex(maxSources, seed, this);
  }

  grow(cap: number): void {
    this.windowStart = grown(this.windowStart, cap);
    this.flows = grown(this.flows, cap);
    this.attempts = grown(this.attempts, cap);
    this.failed = grown(this.failed, cap);
    this.lastAlert = grown(this.lastAlert, cap);
    const al = new Uint8Array(cap);
    al.set(this.alerted);
    this.alerted = al;
    this.ports.grow(cap);
    this.hosts.grow(cap);
    this.labels.grow(cap);
  }

  evicting(slot: number): void {
    const p = this.pending.get(slot);
    if (p !== undefined) this.raise(p, -1);
  }

  reset(slot: number): void {
    this.lastAlert[slot] = -Infinity;
    this.pending.delete(slot);
    // NaN: no window yet (the next event starts one).
    this.clearWindow(slot, NaN);
  }

  private clearWindow(slot: number, start: number): void {
    this.windowStart[slot] = start;
    this.flows[slot] = 0;
    this.attempts[slot] = 0;
    this.failed[slot] = 0;
    this.alerted[slot] = 0;
    this.ports.clear(slot);
    this.hosts.clear(slot);
    this.labels.clear(slot);
  }

  /** The source's slot with a window current at ts (created when new; the previous window closed first). */
  private slotAt(ipv: number, addr: Int32Array, off: number, ts: number): number {
    const s = this.index.acquire(ipv, addr, off);
    const ws = this.windowStart[s];
    if (ws !== ws) {
      this.windowStart[s] = ts;
    } else if (ts >= ws + this.windowMs) {
      const p = this.pending.get(s);
      if (p !== undefined) this.raise(p, -1);
      this.clearWindow(s, ts);
    }
    return s;
  }

  /**
   * A flow from the source started at ts. dstPort is -1 for protocols
   * without ports; dstHost is the destination address folded to 32 bits.
   * Returns the slot, and opens or extends a pending alert (cid gives the
   * flow's community ID, asked only when it is kept as evidence).
   */
  flowStarted(ipv: number, addr: Int32Array, off: number, dstPort: number, dstHost: number, ts: number, cid: () => string): number {
    const s = this.slotAt(ipv, addr, off, ts);
    this.flows[s]++;
    if (dstPort >= 0) this.ports.add(s, dstPort);
    this.hosts.add(s, dstHost);
    const p = this.pending.get(s);
    if (p !== undefined) {
      if (p.communityIds.length < 5) p.communityIds.push(cid());
      this.checkTriggers(s, p, ts, cid);
    } else this.checkTriggers(s, undefined, ts, cid);
    return s;
  }

  /** A TCP flow from the source that began with a client SYN ended at ts; failed = never got a SYN-ACK. */
  connectionEnded(ipv: number, addr: Int32Array, off: number, failed: boolean, ts: number, cid: () => string): void {
    const s = this.slotAt(ipv, addr, off, ts);
    this.attempts[s]++;
    if (failed) this.failed[s]++;
    this.checkTriggers(s, this.pending.get(s), ts, cid);
  }

  /** Counts a flow's label (app << 16 | master, 0 = Unknown) for the source, if it is tracked and its window is current. */
  labelled(ipv: number, addr: Int32Array, off: number, label: number, ts: number): void {
    const s = this.index.find(ipv, addr, off);
    if (s < 0 || ts >= this.windowStart[s] + this.windowMs) return;
    this.labels.add(s, label);
  }

  /** Distinct destination ports of the source in its window (an estimate never exceeds the flows counted). */
  portCount(s: number): number {
    return Math.min(this.ports.count(s), this.flows[s]);
  }

  /** Distinct destination hosts of the source in its window (same bound). */
  hostCount(s: number): number {
    return Math.min(this.hosts.count(s), this.flows[s]);
  }

  /** The detectors over their thresholds as bits: 1 port scan, 2 host sweep, 4 failed connections. */
  private crossedBits(s: number): number {
    const c = this.cfg;
    let bits = 0;
    if (c.portScan.enabled && this.portCount(s) >= c.portScan.threshold) bits |= 1;
    if (c.hostSweep.enabled && this.hostCount(s) >= c.hostSweep.threshold) bits |= 2;
    const f = this.failed[s];
    if (c.failedConnections.enabled && f >= c.failedConnections.minFailed && f >= c.failedConnections.ratio * this.attempts[s]) bits |= 4;
    return bits;
  }

  /** The detectors over their thresholds, in the order port scan, host sweep, failed connections. */
  crossed(s: number): string[] {
    const bits = this.crossedBits(s);
    const out: string[] = [];
    if (bits & 1) out.push(PORT_SCAN);
    if (bits & 2) out.push(HOST_SWEEP);
    if (bits & 4) out.push(FAILED_CONNECTIONS);
    return out;
  }

  private checkTriggers(s: number, p: PendingScan | undefined, ts: number, cid: () => string): void {
    if (p !== undefined) {
      if (p.triggers.length < 3 && this.crossedBits(s) !== 0) for (const t of this.crossed(s)) if (!p.triggers.includes(t)) p.triggers.push(t);
      return;
    }
    if (this.alerted[s] === 1 || ts - this.lastAlert[s] < this.realertMs || this.crossedBits(s) === 0) return;
    const due = Math.min(ts + this.holdMs, this.windowStart[s] + this.windowMs);
    this.pending.set(s, { slot: s, triggers: this.crossed(s), due, communityIds: [cid()] });
    this.scheduled(due);
  }

  /** The pending alert of slot s is being raised at now. */
  closed(p: PendingScan, now: number): void {
    this.pending.delete(p.slot);
    this.alerted[p.slot] = 1;
    this.lastAlert[p.slot] = now;
  }
}
