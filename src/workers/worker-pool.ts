/**
 * The worker threads of a run (`-n N`, N > 1), seen from the capture thread:
 * starts N probe workers (probe-worker.ts), each with a packet ring from the
 * dispatcher and a record ring of the export thread (ExportSink.rings), and
 * offers what the single Probe offers the rest of the run:
 *
 *  - `dispatcher`: the PacketHandler the sources deliver to (dispatcher.ts);
 *  - counters(): live figures for the metrics endpoint, from the counters
 *    the workers publish every second into shared memory, and the
 *    dispatcher's own (packets, bytes, filtered: exact);
 *  - reload(dir): SIGHUP, the --lists directory reloaded in every worker
 *    (resolves once every worker has it);
 *  - finish(): end of input: the rings are closed, every worker exports its
 *    open flows, and the end-of-run figures are the sum of the workers'
 *    (packets, bytes and filtered as the dispatcher counted them);
 *  - flow events replayed into the alert detector, when given (flow-events.ts).
 *
 * A worker that fails (throws, or its thread ends before it is done) is
 * reported once through onFailure with its number and the error; its rings
 * are released so neither the dispatcher nor the export thread waits for
 * it, and finish() returns the failure with the other workers' figures.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { BpfFilter } from '../capture/bpf-filter';
import type { ExportSink } from '../export/export-sink';
import { END_REASON_NAMES } from '../flow/expiry';
import { MALFORMED_NAMES } from '../decode/packet';
import type { FlowObserver, ProbeSummary } from '../probe';
import { FlowtapError } from '../util/errors';
import { PacketDispatcher } from './dispatcher';
import { FlowEventReplay } from './flow-events';
import { abandonPacketRing, createPacketRing, DEFAULT_PACKET_RING_BYTES, type PacketRingShared } from './packet-ring';
import { Counter, WORKER_COUNTERS, type FromProbeWorker, type ProbeWorkerInit, type ToProbeWorker, type WorkerFault, type WorkerSettings } from './worker-protocol';

export interface WorkerPoolOptions extends WorkerSettings {
  workers: number;
  /** Its rings (one per worker) receive the records. */
  exporter: ExportSink;
  /** The run's flow table limit, shared out among the workers. */
  maxFlows: number;
  /** BPF filter applied by the dispatcher (capture files). */
  filter?: BpfFilter;
  /** The alert detector, fed from the workers' flow events. */
  detector?: FlowObserver;
  /** A worker failed: one line naming it (called once per worker). */
  onFailure?: (message: string) => void;
  /** Packet ring size per worker in bytes (a power of two). */
  ringBytes?: number;
  /** Tests: a failure injected into worker `worker` (0-based). */
  fault?: WorkerFault & { worker: number };
  /** Tests: how long a full ring waits for a silent worker (packet-ring.ts STALL_MS). */
  stallMs?: number;
}

/** Live figures of all workers (as the Probe's fields, for the metrics endpoint). */
export interface PoolCounters {
  packets: number;
  bytes: number;
  filtered: number;
  malformed: number;
  flowsActive: number;
  flowsTotal: number;
  records: number;
}

export interface PoolEnd {
  summary: ProbeSummary;
  /** Flows still open at the end of input (exported with end_of_input). */
  open: number;
  /** One line per failed worker. */
  failures: string[];
  /** Frames not processed as captured, one line per kind (frames for a failed worker; frames cut to fit a ring). */
  warnings: string[];
}

/** A worker's end: its figures, or null when it failed. */
type WorkerEnd = { summary: ProbeSummary; open: number } | null;

interface Member {
  worker: Worker;
  ring: PacketRingShared;
  done: Promise<WorkerEnd>;
  /** Answers to 'reload' messages, in order: called with null (reloaded) or the error. */
  reloads: Array<(error: string | null) => void>;
  ended: boolean;
}

export class WorkerPool {
  readonly dispatcher: PacketDispatcher;
  private readonly members: Member[];
  private readonly counterView: Float64Array;
  private readonly failures: string[] = [];
  private finished: Promise<PoolEnd> | null = null;

  private constructor(private readonly opts: WorkerPoolOptions, members: Member[], rings: PacketRingShared[], counters: SharedArrayBuffer) {
    this.members = members;
    this.counterView = new Float64Array(counters);
    this.dispatcher = new PacketDispatcher(rings, {
      filter: opts.filter,
      packetClock: opts.clock === 'markers',
      ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
    });
  }

  /** Starts the workers; resolves once every one is ready, rejects (FlowtapError) if one cannot start. */
  static async start(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const n = opts.workers;
    if (opts.exporter.rings.length !== n) throw new Error(`WorkerPool: the export sink has ${opts.exporter.rings.length} rings for ${n} workers`);
    const counters = new SharedArrayBuffer(n * WORKER_COUNTERS * 8);
    const rings = Array.from({ length: n }, () => createPacketRing(opts.ringBytes ?? DEFAULT_PACKET_RING_BYTES));
    const replay = opts.detector !== undefined ? new FlowEventReplay(opts.detector, n) : null;
    const ready: Promise<void>[] = [];
    const members: Member[] = [];
    let pool: WorkerPool | null = null;
    const early: string[] = [];
    const failed = (i: number, message: string): void => {
      abandonPacketRing(rings[i]);
      opts.exporter.closeRing(i);
      const line = `worker ${i + 1} of ${n} failed: ${message}`;
      if (pool === null) early.push(line);
      else pool.fail(line);
    };
    for (let i = 0; i < n; i++) {
      const init: ProbeWorkerInit = {
        index: i,
        count: n,
        packets: rings[i],
        records: opts.exporter.rings[i],
        counters,
        tunnels: opts.tunnels,
        timeouts: { ...opts.timeouts },
        maxFlows: Math.max(16, Math.ceil(opts.maxFlows / n)),
        dpi: opts.dpi,
        ...(opts.listsDir !== undefined ? { listsDir: opts.listsDir } : {}),
        clock: opts.clock,
        flowEvents: replay !== null,
        ...(opts.fault !== undefined && opts.fault.worker === i ? { fault: { afterPackets: opts.fault.afterPackets, kind: opts.fault.kind } } : {}),
      };
      const worker = new Worker(join(__dirname, 'probe-worker.js'), { workerData: init });
      let isReady: () => void = () => undefined;
      let notReady: (e: Error) => void = () => undefined;
      ready.push(new Promise<void>((resolve, reject) => {
        isReady = resolve;
        notReady = reject;
      }));
      const done = new Promise<WorkerEnd>((resolve) => {
        let settled = false;
        const end = (message: string | null, result: WorkerEnd): void => {
          if (settled) return;
          settled = true;
          const mb = member();
          mb.ended = true;
          replay?.end(i);
          for (const r of mb.reloads.splice(0)) r('the worker has stopped');
          if (message !== null) {
            failed(i, message);
            notReady(new FlowtapError('E_OUTPUT', `worker ${i + 1} of ${n} could not start: ${message}`));
          }
          resolve(result);
        };
        const member = (): Member => members[i];
        worker.on('message', (m: FromProbeWorker) => {
          switch (m.type) {
            case 'ready':
              isReady();
              break;
            case 'events':
              replay?.add(i, m.rows, m.strings);
              break;
            case 'reloaded':
              member().reloads.shift()?.(m.ok ? null : m.message);
              break;
            case 'done':
              end(null, { summary: m.summary, open: m.open });
              break;
            case 'failed':
              end(m.message, null);
              break;
          }
        });
        worker.once('error', (err) => end(err.message, null));
        worker.once('exit', (code) => end(`its thread ended (exit code ${code}) before the end of input`, null));
      });
      members.push({ worker, ring: rings[i], done, reloads: [], ended: false });
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      for (const m of members) {
        abandonPacketRing(m.ring);
        await m.worker.terminate();
      }
      for (let i = 0; i < n; i++) opts.exporter.closeRing(i);
      throw err;
    }
    pool = new WorkerPool(opts, members, rings, counters);
    for (const line of early) pool.fail(line);
    return pool;
  }

  private fail(line: string): void {
    this.failures.push(line);
    this.opts.onFailure?.(line);
  }

  /** Application detection runs in the workers (a SIGHUP has lists to reload). */
  get dpi(): boolean {
    return this.opts.dpi;
  }

  /** Live figures (the workers' as of their last second, the dispatcher's now). */
  counters(): PoolCounters {
    const c = this.counterView;
    let malformed = 0;
    let flowsActive = 0;
    let flowsTotal = 0;
    let records = 0;
    for (let b = 0; b < c.length; b += WORKER_COUNTERS) {
      malformed += c[b + Counter.Malformed];
      flowsActive += c[b + Counter.FlowsActive];
      flowsTotal += c[b + Counter.FlowsTotal];
      records += c[b + Counter.Records];
    }
    const d = this.dispatcher;
    return { packets: d.packets, bytes: d.bytes, filtered: d.filtered, malformed, flowsActive, flowsTotal, records };
  }

  /**
   * SIGHUP: every worker reloads the lists in dir; resolves once all have
   * answered (frames published from then on are classified with the new
   * lists), with one line per worker that could not (it keeps its lists).
   */
  reload(dir: string): Promise<string[]> {
    return Promise.all(
      this.members.map((m, i) => new Promise<string | null>((resolve) => {
        if (m.ended) {
          resolve(null);
          return;
        }
        m.reloads.push((error) => resolve(error === null ? null : `worker ${i + 1} of ${this.members.length}: ${error}`));
        m.worker.postMessage({ type: 'reload', dir } satisfies ToProbeWorker);
      })),
    ).then((r) => r.filter((x): x is string => x !== null));
  }

  /**
   * End of input: closes the packet rings; resolves once every worker has
   * exported its flows (or failed), with the summed figures. The workers'
   * threads are ended.
   */
  finish(): Promise<PoolEnd> {
    this.finished ??= (async () => {
      this.dispatcher.close();
      const results = await Promise.all(this.members.map((m) => m.done));
      await Promise.all(this.members.map((m) => m.worker.terminate()));
      const parts: ProbeSummary[] = [];
      let open = 0;
      for (const r of results) {
        if (r === null) continue;
        parts.push(r.summary);
        open += r.open;
      }
      const d = this.dispatcher;
      const warnings: string[] = [];
      if (d.lost > 0) warnings.push(`${d.lost} frames were not processed: the thread they were meant for had failed`);
      if (d.cut > 0) warnings.push(`${d.cut} frames longer than a quarter of a packet ring were cut to fit it`);
      return {
        summary: mergeSummaries(parts, { packets: d.packets, bytes: d.bytes, filtered: d.filtered }),
        open,
        failures: [...this.failures],
        warnings,
      };
    })();
    return this.finished;
  }
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** The run's figures from the workers' (frames received, bytes and filtered are the dispatcher's). */
export function mergeSummaries(parts: readonly ProbeSummary[], received: { packets: number; bytes: number; filtered: number }): ProbeSummary {
  const s: ProbeSummary = {
    packets: received.packets,
    bytes: received.bytes,
    filtered: received.filtered,
    ip_packets: 0,
    non_ip: 0,
    unsupported_link_types: {},
    malformed: 0,
    malformed_by_reason: {},
    fragments_reassembled: 0,
    fragments_orphaned: 0,
    flows: 0,
    records: 0,
    records_by_end_reason: {},
    dpi_flows_dissected: 0,
    dpi_flows_detected: 0,
  };
  for (const p of parts) {
    s.ip_packets += p.ip_packets;
    s.non_ip += p.non_ip;
    addCounts(s.unsupported_link_types, p.unsupported_link_types);
    s.malformed += p.malformed;
    addCounts(s.malformed_by_reason, p.malformed_by_reason);
    s.fragments_reassembled += p.fragments_reassembled;
    s.fragments_orphaned += p.fragments_orphaned;
    s.flows += p.flows;
    s.records += p.records;
    addCounts(s.records_by_end_reason, p.records_by_end_reason);
    s.dpi_flows_dissected += p.dpi_flows_dissected;
    s.dpi_flows_detected += p.dpi_flows_detected;
  }
  s.records_by_end_reason = ordered(s.records_by_end_reason, END_REASON_NAMES);
  s.malformed_by_reason = ordered(s.malformed_by_reason, MALFORMED_NAMES);
  return s;
}

/** The keys of r in the order of names (the order the Probe lists them in). */
function ordered(r: Record<string, number>, names: readonly (string | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) if (name !== undefined && r[name] !== undefined) out[name] = r[name];
  for (const [k, v] of Object.entries(r)) if (out[k] === undefined) out[k] = v;
  return out;
}
