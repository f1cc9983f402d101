/**
 * Alerting with worker threads (`-n N`, N > 1). The scan detectors count per
 * SOURCE across flows (distinct ports and hosts a source reaches), and the
 * workers split flows by address pair, so one source's flows are spread
 * over several workers: the detector cannot run inside them. Instead it
 * runs once, on the capture thread, fed with compact flow events:
 *
 *  - FlowEventWriter (in each worker) is the Probe's FlowObserver: at a
 *    flow's start, its classification, each record, and each expiry tick it
 *    copies what the detector reads (src/detect/detector.ts) into one row
 *    of numbers (kind, slot, flow id, time, the key words of the flow table,
 *    first/last times, ICMP type/code, TCP state bits, end reason, the DPI
 *    label and confidence) plus, when set, the server name and the risks as
 *    strings, and posts the rows in batches (at EVENT_BATCH rows, and when
 *    the worker flushes: every turn of its loop, every second, at the end).
 *  - FlowEventReplay (on the capture thread) puts the workers' events back
 *    in time order, writes each row into a mirror of those flow-table and
 *    DPI fields, at a slot of its own per worker flow slot (slot * workers +
 *    worker), and calls the detector as the Probe would: flowStarted,
 *    flowClassified, flowEnded, tick.
 *
 * Time order: each event carries its worker's clock (the latest event time
 * it has seen: never decreasing). Every worker sees every expiry tick (the
 * dispatcher's packet-clock markers for files, each second of wall clock
 * live), so every worker's clock follows the capture even when its own
 * traffic is sparse. The replay takes events from the worker whose next
 * event is the oldest, and only events no older than every running
 * worker's clock (a worker cannot send anything older later), so the
 * detector sees the events as one thread would, up to the order of events
 * within the same millisecond (where flow events go before expiry ticks, as
 * an expiry ends its flows before its tick). Events wait on this thread while another
 * worker is behind; how far a worker can run ahead is bounded by the
 * dispatcher's rings (files) or by one second (live).
 *
 * The mirror carries exactly the fields the detector and readHead() read
 * (keyMeta, clientIsA, keyPorts, keyAddr, firstMs, lastMs, icmpTypeCode,
 * state, flowId, clockMs; app, master, confidence, flow(f).getMeta
 * ('server_name'), flow(f).risks); test/workers/flow-events.test.ts runs the
 * detector both ways on the same captures and compares the alerts.
 *
 * What can differ from one thread: events within the same millisecond of
 * different workers may be replayed in another order, and flows labelled
 * by a cross-flow cache (DPI endpoint caches are per worker) carry another
 * label; an alert's evidence (its first community IDs) can then differ.
 * Alerts are raised up to a batch of events later (live: about a second).
 */
import type { FlowObserver } from '../probe';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';
import { globalFlowId } from './worker-protocol';
import { grown } from '../util/typed-grow';

const enum Kind {
  Started = 1,
  Classified = 2,
  Ended = 3,
  Tick = 4,
}

const enum F {
  Kind = 0,
  /** The worker's clock at this event: the order key. */
  Order,
  Slot,
  FlowId,
  Time,
  KeyMeta,
  ClientIsA,
  KeyPorts,
  /** 8 address words. */
  Addr,
  FirstMs = Addr + 8,
  LastMs,
  IcmpTypeCode,
  State,
  Reason,
  /** -1: DPI off. */
  App,
  Master,
  Confidence,
  /** Index in the batch's strings, -1: none. */
  ServerName,
  Risks,
  Count,
}

/** Events per posted batch. */
export const EVENT_BATCH = 512;

/** The worker side: a FlowObserver that posts the detector's inputs. */
export class FlowEventWriter implements FlowObserver {
  private rows = new Float64Array(EVENT_BATCH * F.Count);
  private strings: string[] = [];
  private n = 0;
  private clock = -Infinity;

  constructor(
    private readonly worker: number,
    private readonly workers: number,
    private readonly send: (rows: Float64Array, strings: string[]) => void,
  ) {}

  flowStarted(t: FlowTable, f: number, tsMs: number): void {
    this.add(Kind.Started, t, f, tsMs, 0, null);
  }

  flowClassified(t: FlowTable, f: number, dpi: DpiEngine): void {
    this.add(Kind.Classified, t, f, t.clockMs, 0, dpi);
  }

  flowEnded(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.add(Kind.Ended, t, f, t.clockMs, reason, dpi);
  }

  tick(nowMs: number): void {
    const b = this.n * F.Count;
    if (nowMs > this.clock) this.clock = nowMs;
    this.rows[b + F.Kind] = Kind.Tick;
    this.rows[b + F.Order] = this.clock;
    this.rows[b + F.Time] = nowMs;
    this.next();
  }

  finish(): void {
    this.flush();
  }

  private add(kind: Kind, t: FlowTable, f: number, time: number, reason: number, dpi: DpiEngine | null): void {
    const r = this.rows;
    const b = this.n * F.Count;
    if (time > this.clock) this.clock = time;
    r[b + F.Kind] = kind;
    r[b + F.Order] = this.clock;
    r[b + F.Slot] = f;
    r[b + F.FlowId] = globalFlowId(t.flowId[f], this.worker, this.workers);
    r[b + F.Time] = time;
    r[b + F.KeyMeta] = t.keyMeta[f];
    r[b + F.ClientIsA] = t.clientIsA[f];
    r[b + F.KeyPorts] = t.keyPorts[f];
    for (let i = 0; i < 8; i++) r[b + F.Addr + i] = t.keyAddr[(f << 3) + i];
    r[b + F.FirstMs] = t.firstMs[f];
    r[b + F.LastMs] = t.lastMs[f];
    r[b + F.IcmpTypeCode] = t.icmpTypeCode[f];
    r[b + F.State] = t.state[f];
    r[b + F.Reason] = reason;
    r[b + F.ServerName] = -1;
    r[b + F.Risks] = -1;
    if (dpi === null) {
      r[b + F.App] = -1;
    } else {
      r[b + F.App] = dpi.app[f];
      r[b + F.Master] = dpi.master[f];
      r[b + F.Confidence] = dpi.confidence[f];
      const fd = dpi.flow(f);
      const sn = fd?.getMeta('server_name');
      if (typeof sn === 'string' && sn !== '') r[b + F.ServerName] = this.string(sn);
      const risks = fd?.risks ?? null;
      if (risks !== null && risks.length > 0) r[b + F.Risks] = this.string(risks.join(','));
    }
    this.next();
  }

  private string(s: string): number {
    this.strings.push(s);
    return this.strings.length - 1;
  }

  private next(): void {
    if (++this.n === EVENT_BATCH) this.flush();
  }

  /** Posts the events gathered so far. */
  flush(): void {
    if (this.n === 0) return;
    const rows = this.n === EVENT_BATCH ? this.rows : this.rows.slice(0, this.n * F.Count);
    this.send(rows, this.strings);
    if (rows === this.rows) this.rows = new Float64Array(EVENT_BATCH * F.Count);
    this.strings = [];
    this.n = 0;
  }
}

/** The flow-table fields the detector reads, for the mirror slots. */
class MirrorTable {
  capacity = 0;
  keyMeta = new Int32Array(0);
  clientIsA = new Uint8Array(0);
  keyPorts = new Int32Array(0);
  keyAddr = new Int32Array(0);
  firstMs = new Float64Array(0);
  lastMs = new Float64Array(0);
  icmpTypeCode = new Uint16Array(0);
  state = new Uint8Array(0);
  flowId = new Float64Array(0);
  clockMs = 0;

  ensure(slot: number): void {
    if (slot < this.capacity) return;
    let n = Math.max(1024, this.capacity);
    while (n <= slot) n *= 2;
    this.keyMeta = grown(this.keyMeta, n);
    this.clientIsA = grown(this.clientIsA, n);
    this.keyPorts = grown(this.keyPorts, n);
    this.keyAddr = grown(this.keyAddr, n * 8);
    this.firstMs = grown(this.firstMs, n);
    this.lastMs = grown(this.lastMs, n);
    this.icmpTypeCode = grown(this.icmpTypeCode, n);
    this.state = grown(this.state, n);
    this.flowId = grown(this.flowId, n);
    this.capacity = n;
  }
}

/** What the detector reads of a flow's DPI state: its server name and risks. */
class MirrorFlowDpi {
  serverName = '';
  risks: number[] | null = null;
  getMeta(field: string): string | undefined {
    return field === 'server_name' && this.serverName !== '' ? this.serverName : undefined;
  }
}

/** The DPI-engine fields the detector reads, for the mirror slots (one flow's metadata at a time). */
class MirrorDpi {
  capacity = 0;
  app = new Uint16Array(0);
  master = new Uint16Array(0);
  confidence = new Uint8Array(0);
  private readonly current = new MirrorFlowDpi();
  private currentSlot = -1;

  ensure(slot: number): void {
    if (slot < this.capacity) return;
    let n = Math.max(1024, this.capacity);
    while (n <= slot) n *= 2;
    const app = new Uint16Array(n);
    app.set(this.app);
    this.app = app;
    const master = new Uint16Array(n);
    master.set(this.master);
    this.master = master;
    const conf = new Uint8Array(n);
    conf.set(this.confidence);
    this.confidence = conf;
    this.capacity = n;
  }

  set(slot: number, serverName: string, risks: number[] | null): void {
    this.currentSlot = slot;
    this.current.serverName = serverName;
    this.current.risks = risks;
  }

  flow(f: number): MirrorFlowDpi | undefined {
    return f === this.currentSlot ? this.current : undefined;
  }
}

/** One worker's events not yet replayed. */
class Pending {
  readonly batches: Array<{ rows: Float64Array; strings: readonly string[] }> = [];
  /** Offset of the next row in batches[0]. */
  pos = 0;
  /** The worker's clock at its latest event (Infinity once it has ended). */
  latest = -Infinity;
  ended = false;

  /** Order key of the next event, or Infinity when none is waiting. */
  head(): number {
    return this.batches.length > 0 ? this.batches[0].rows[this.pos + F.Order] : Infinity;
  }
}

/** The capture-thread side: replays the workers' events into the detector, in time order. */
export class FlowEventReplay {
  private readonly table = new MirrorTable();
  private readonly dpi = new MirrorDpi();
  private readonly pending: Pending[];
  /** Events replayed. */
  events = 0;

  constructor(private readonly observer: FlowObserver, private readonly workers: number) {
    this.pending = Array.from({ length: workers }, () => new Pending());
  }

  /** One batch of worker `worker`'s events, in its order. */
  add(worker: number, rows: Float64Array, strings: readonly string[]): void {
    if (rows.length === 0) return;
    const q = this.pending[worker];
    q.batches.push({ rows, strings });
    q.latest = rows[rows.length - F.Count + F.Order];
    this.replay();
  }

  /** Worker `worker` will send no more events (done, or failed). */
  end(worker: number): void {
    const q = this.pending[worker];
    q.ended = true;
    q.latest = Infinity;
    this.replay();
  }

  /** Replays every event no running worker can still precede. */
  private replay(): void {
    const qs = this.pending;
    for (;;) {
      let best = -1;
      let bestKey = Infinity;
      let watermark = Infinity;
      let bestTick = true;
      for (let w = 0; w < qs.length; w++) {
        const q = qs[w];
        if (!q.ended && q.latest < watermark) watermark = q.latest;
        const k = q.head();
        if (k === Infinity) continue;
        // At the same time, flow events before ticks: one thread ends the flows an expiry ends before its tick.
        const tick = q.batches[0].rows[q.pos + F.Kind] === Kind.Tick;
        if (k < bestKey || (k === bestKey && bestTick && !tick)) {
          bestKey = k;
          best = w;
          bestTick = tick;
        }
      }
      if (best < 0 || bestKey > watermark) return;
      const q = qs[best];
      const batch = q.batches[0];
      this.one(best, batch.rows, q.pos, batch.strings);
      q.pos += F.Count;
      if (q.pos >= batch.rows.length) {
        q.batches.shift();
        q.pos = 0;
      }
    }
  }

  private one(worker: number, rows: Float64Array, b: number, strings: readonly string[]): void {
    const t = this.table;
    const d = this.dpi;
    this.events++;
    const kind = rows[b + F.Kind];
    const time = rows[b + F.Time];
    if (kind === Kind.Tick) {
      if (time > t.clockMs) t.clockMs = time;
      this.observer.tick(time);
      return;
    }
    const asTable = t as unknown as FlowTable;
    const asDpi = d as unknown as DpiEngine;
    const m = rows[b + F.Slot] * this.workers + worker;
    t.ensure(m);
    d.ensure(m);
    t.flowId[m] = rows[b + F.FlowId];
    t.keyMeta[m] = rows[b + F.KeyMeta];
    t.clientIsA[m] = rows[b + F.ClientIsA];
    t.keyPorts[m] = rows[b + F.KeyPorts];
    for (let i = 0; i < 8; i++) t.keyAddr[(m << 3) + i] = rows[b + F.Addr + i];
    t.firstMs[m] = rows[b + F.FirstMs];
    t.lastMs[m] = rows[b + F.LastMs];
    t.icmpTypeCode[m] = rows[b + F.IcmpTypeCode];
    t.state[m] = rows[b + F.State];
    if (kind === Kind.Started) {
      this.observer.flowStarted(asTable, m, time);
      return;
    }
    t.clockMs = time;
    const app = rows[b + F.App];
    if (app >= 0) {
      d.app[m] = app;
      d.master[m] = rows[b + F.Master];
      d.confidence[m] = rows[b + F.Confidence];
      const sn = rows[b + F.ServerName];
      const rk = rows[b + F.Risks];
      d.set(m, sn >= 0 ? strings[sn] : '', rk >= 0 ? strings[rk].split(',').map(Number) : null);
    }
    if (kind === Kind.Classified) this.observer.flowClassified(asTable, m, asDpi);
    else this.observer.flowEnded(asTable, m, rows[b + F.Reason] as EndReason, app >= 0 ? asDpi : null);
  }
}
