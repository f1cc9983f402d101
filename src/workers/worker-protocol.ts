/**
 * What the capture thread and a probe worker thread (probe-worker.ts) share:
 * the worker's start data, the messages both ways, the layout of the live
 * counters a worker publishes for the metrics endpoint, and the numbering
 * of flow ids across workers.
 *
 * Flow ids: each worker's flow table numbers its flows 1, 2, 3 ...; a
 * record's flow_id is that number spread over the workers,
 * (local - 1) * workers + worker + 1, so ids stay unique in the run (with
 * one worker they are the table's own).
 */
import type { PacketRingShared } from './packet-ring';
import type { RingShared } from '../export/record-ring';
import type { FlowTimeouts } from '../flow/expiry';
import type { ProbeSummary } from '../probe';

/** The run's settings every worker's Probe is built with. */
export interface WorkerSettings {
  /** Decapsulate tunnels. */
  tunnels: boolean;
  timeouts: FlowTimeouts;
  /** Application detection on. */
  dpi: boolean;
  /** The --lists directory (loaded at start and on 'reload'). */
  listsDir?: string;
  /** 'markers': expiry on the dispatcher's packet-clock markers (capture files); 'wall': every second on the wall clock (live). */
  clock: 'markers' | 'wall';
}

/** workerData of a probe worker. */
export interface ProbeWorkerInit extends WorkerSettings {
  /** This worker (0-based) and how many there are. */
  index: number;
  count: number;
  /** Frames from the dispatcher. */
  packets: PacketRingShared;
  /** Records to the export thread. */
  records: RingShared;
  /** Live counters, WORKER_COUNTERS doubles per worker (this one's at index * WORKER_COUNTERS). */
  counters: SharedArrayBuffer;
  /** This worker's share of the flow table limit. */
  maxFlows: number;
  /** Send flow events (flow-events.ts) for the alert detector on the capture thread. */
  flowEvents: boolean;
  /** Tests only: fail after this many frames, by throwing or by ending the thread without a word. */
  fault?: WorkerFault;
}

/** A failure injected into one worker (tests of the failure handling; FLOWTAP_WORKER_FAULT). */
export interface WorkerFault {
  afterPackets: number;
  kind: 'throw' | 'exit';
}

/** Capture thread → worker. */
export type ToProbeWorker = { type: 'reload'; dir: string };

/** Worker → capture thread. */
export type FromProbeWorker =
  | { type: 'ready' }
  | { type: 'events'; rows: Float64Array; strings: string[] }
  | { type: 'reloaded'; ok: true; files: number; entries: number }
  | { type: 'reloaded'; ok: false; message: string }
  | { type: 'done'; summary: ProbeSummary; open: number }
  | { type: 'failed'; message: string };

/** The live counters of one worker, in order. */
export const enum Counter {
  Packets = 0,
  Bytes,
  Malformed,
  FlowsActive,
  FlowsTotal,
  Records,
  Count,
}

export const WORKER_COUNTERS = Counter.Count;

/** The run-wide flow id of a worker's local flow id. */
export function globalFlowId(local: number, worker: number, workers: number): number {
  return (local - 1) * workers + worker + 1;
}
