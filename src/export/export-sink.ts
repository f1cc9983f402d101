/**
 * The record sink of the CLI: JSON Lines output and network sinks, fed from
 * one export thread (export-worker.ts). The packet thread only copies each
 * ending record's numbers and DPI text (fillRaw) into a bounded shared ring
 * (record-ring.ts); the export thread formats the JSON Lines (bytes and order
 * exactly JsonlSink's) and hands each record to every sink's delivery layer.
 * The packet thread waits only when the ring is full, i.e. when the export
 * thread lacks CPU; a slow or absent collector never makes it wait (its
 * records go to the sink's disk spool instead).
 *
 * Lifecycle: construct (opens the -w file: E_OUTPUT naming it), ready()
 * (the export thread has built every transport and started every delivery:
 * a configuration a transport refuses is a UsageError E_CONFIG), writeFlow()
 * per record, close() (end of records: drains every sink for up to the drain
 * timeout, then `reports` holds one SinkReport per sink). force() (the second
 * SIGINT/SIGTERM) cuts the drain short: what is still pending is persisted
 * to the spool at once. While running, the export thread sends each sink's
 * counters every few seconds (sinkStats, for the metrics endpoint), and JSON
 * Lines that waited about a second while no records came are written out
 * (a live capture on a quiet link shows its records without waiting for
 * 256 KiB of them).
 *
 * Worker threads (`-n N`, N > 1): the sink has one ring per worker
 * (`rings`), filled by the workers themselves (WorkerRecordSink in
 * src/workers/probe-worker.ts), and read by the one export thread in turn:
 * the order of records across workers is not defined. Each worker closes its
 * ring when done (closeRing() closes the ring of a worker that failed);
 * close() then waits for the export thread as with one ring. Text lines
 * (`text`) are then also written by the export thread, from each record's
 * JSON, in whole lines, so lines of different workers never mix.
 */
import { Worker } from 'node:worker_threads';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';
import type { RecordSink } from './sink';
import { closeAbandonedRing, createBell, createRing, RingProducer, RingShared } from './record-ring';
import { fillRaw } from './raw-record';
import { prepareRotatingFile, type RotateOptions } from './rotating-output';
import type { SinkKind, SinkSpec } from './sinks/spec';
import type { DrainResult, SinkStats } from './sinks/delivery';
import { FlowtapError, UsageError } from '../util/errors';

/** Records in flight between the threads (about 5 MiB of shared memory: 1 MiB of rows, 4 MiB of DPI text). */
const RING_CAPACITY = 4096;
/** Records in flight per worker with several workers (about 2.5 MiB each). */
const WORKER_RING_CAPACITY = 2048;

/** How every network sink buffers and retries (see the delivery layer). */
export interface DeliverySettings {
  /** Each sink spools into a directory of its own inside this one (spec.ts spoolKey()). */
  spoolRoot: string;
  /** Disk spool size per sink, in bytes; beyond it records are dropped (counted). */
  maxSpoolBytes: number;
  /** Records a sink keeps in memory before spilling to its spool. */
  memoryRecords: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_FLUSH_MS = 1000;
const DEFAULT_STATS_INTERVAL_MS = 5000;

/** A JSON Lines destination: path undefined or "-" is standard output; rotation needs a file. */
export interface JsonlTarget {
  path?: string;
  rotate?: RotateOptions;
}

/** A text-line destination written by the export thread (with several workers): path undefined or "-" is standard output. */
export interface TextLineTarget {
  path?: string;
  /** Only the flows whose application is unknown (-v 1). */
  unknownOnly: boolean;
}

export interface ExportOptions {
  /** JSON Lines outputs (formatted once, written to each); none or absent: no JSON Lines. */
  jsonl?: readonly JsonlTarget[];
  /** ndff's text lines, formatted on the export thread (used with several workers; one thread writes them itself). */
  text?: readonly TextLineTarget[];
  /** Threads writing records, each into a ring of its own (default 1: the thread that made the sink, through writeFlow()). */
  producers?: number;
  sinks?: readonly SinkSpec[];
  /** Needed when sinks are given. */
  delivery?: DeliverySettings;
  /** How long close() waits for the sinks to deliver what they hold before persisting it (default 30 s). */
  drainTimeoutMs?: number;
  /** Sink messages of the 'info' kind are not printed. */
  quiet?: boolean;
  /** Ring size in records (tests use tiny rings). */
  capacity?: number;
  /**
   * JSON Lines waiting in the output buffer are written out once they have
   * waited about this long while no records came (live capture, slow pipes);
   * otherwise they go out in 256 KiB writes or at close(). Default 1000 ms; 0: off.
   */
  idleFlushMs?: number;
  /** How often the export thread sends each network sink's counters (sinkStats; default 5000 ms; 0: never). */
  statsIntervalMs?: number;
}

/** One network sink at the end of the run. */
export interface SinkReport {
  kind: SinkKind;
  stats: SinkStats;
  drain: DrainResult;
  /** Where its undelivered records are kept for the next run. */
  spoolDir: string;
}

/** workerData of the export thread. */
export interface ExportInit {
  /** One ring per producer. */
  rings: RingShared[];
  /** fd: the open output (standard output or the -w file); -1 when rotating: the export thread opens `path` itself. */
  jsonl: { fd: number; target: string; path?: string; rotate?: RotateOptions }[];
  text: { fd: number; target: string; unknownOnly: boolean }[];
  sinks: SinkSpec[];
  delivery: DeliverySettings;
  drainTimeoutMs: number;
  quiet: boolean;
  idleFlushMs: number;
  statsIntervalMs: number;
}

/** Main thread → export thread. */
export type ExportMessage = { type: 'force' };

/** Export thread → main thread, at the end. */
export interface ExportDone {
  type: 'done';
  status: 'ok' | 'epipe' | 'error';
  message?: string;
  sinks: SinkReport[];
  /** Time spent draining the network sinks at the end. */
  drainMs: number;
}

/** Export thread → main thread, every statsIntervalMs while records flow: each network sink's counters. */
export interface ExportStats {
  type: 'stats';
  sinks: SinkStats[];
}

export type FromWorker = ExportDone | ExportStats | { type: 'ready' } | { type: 'failed'; code: string; message: string };

export class ExportSink implements RecordSink {
  /** The producer of the one ring (null with several producers: they are other threads). */
  private readonly producer: RingProducer | null;
  /** The rings, one per producer (hand ring i to producer thread i). */
  readonly rings: readonly RingShared[];
  private readonly worker: Worker;
  private readonly started: Promise<void>;
  private readonly result: Promise<ExportDone>;
  /** The -w file descriptors, closed once the export thread is done with them. */
  private ownFds: number[];
  /** One report per network sink, once close() has resolved. */
  reports: SinkReport[] = [];
  /** Time close() spent draining the network sinks. */
  drainMs = 0;
  /** Each network sink's counters as the export thread last sent them (every statsIntervalMs; for /metrics). */
  sinkStats: SinkStats[] = [];

  constructor(opts: ExportOptions) {
    const producers = opts.producers ?? 1;
    if (!Number.isInteger(producers) || producers < 1) throw new RangeError(`ExportSink: producers must be a positive integer, got ${producers}`);
    const bell = createBell();
    const capacity = opts.capacity ?? (producers === 1 ? RING_CAPACITY : WORKER_RING_CAPACITY);
    this.rings = Array.from({ length: producers }, () => createRing(capacity, bell));
    this.producer = producers === 1 ? new RingProducer(this.rings[0]) : null;
    const sinks = [...(opts.sinks ?? [])];
    if (sinks.length > 0 && opts.delivery === undefined) throw new Error('ExportSink: network sinks need delivery settings');
    const jsonl: ExportInit['jsonl'] = [];
    const text: ExportInit['text'] = [];
    try {
      for (const j of opts.jsonl ?? []) jsonl.push(openJsonl(j));
      for (const t of opts.text ?? []) text.push({ ...openJsonl({ path: t.path }), unknownOnly: t.unknownOnly });
    } catch (err) {
      for (const j of [...jsonl, ...text]) if (j.fd > 2) closeSync(j.fd);
      throw err;
    }
    this.ownFds = [...jsonl, ...text].filter((j) => j.fd > 2).map((j) => j.fd);
    const init: ExportInit = {
      rings: [...this.rings],
      jsonl,
      text,
      sinks,
      delivery: opts.delivery ?? { spoolRoot: '', maxSpoolBytes: 0, memoryRecords: 0 },
      drainTimeoutMs: opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
      quiet: opts.quiet ?? false,
      idleFlushMs: opts.idleFlushMs ?? DEFAULT_IDLE_FLUSH_MS,
      statsIntervalMs: opts.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS,
    };
    this.worker = new Worker(join(__dirname, 'export-worker.js'), { workerData: init });
    let ready: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    this.started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    // A failure to start is reported by ready(); close() must not also reject unobserved.
    this.started.catch(() => undefined);
    this.result = new Promise<ExportDone>((resolve) => {
      const end = (message: string): void => {
        failed(new FlowtapError('E_OUTPUT', message));
        resolve({ type: 'done', status: 'error', message, sinks: [], drainMs: 0 });
      };
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') ready();
        else if (m.type === 'stats') this.sinkStats = m.sinks;
        else if (m.type === 'failed') {
          failed(m.code === 'E_CONFIG' || m.code === 'E_USAGE' ? new UsageError(m.message, m.code) : new FlowtapError('E_OUTPUT', m.message));
          resolve({ type: 'done', status: 'error', message: m.message, sinks: [], drainMs: 0 });
        } else resolve(m);
      });
      this.worker.once('error', (err) => end(`export thread failed: ${err.message}`));
      this.worker.once('exit', (code) => end(`export thread stopped (exit code ${code})`));
    });
  }

  /** Resolves once every sink is started; rejects with UsageError (bad sink configuration) or FlowtapError E_OUTPUT. */
  ready(): Promise<void> {
    return this.started;
  }

  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    const p = this.producer as RingProducer;
    const row = p.reserve();
    fillRaw(t, f, reason, dpi, p.rows, row, p.meta, p.metaOffset());
    p.publish();
  }

  /** Times the packet thread waited because the export thread was behind (one producer). */
  get waits(): number {
    return this.producer?.waits ?? 0;
  }

  /** Closes producer i's ring for it (its thread failed before closing it): the export thread stops waiting for it. */
  closeRing(i: number): void {
    closeAbandonedRing(this.rings[i]);
  }

  /** Stop waiting for collectors: persist what is pending now (second SIGINT/SIGTERM). */
  force(): void {
    this.worker.postMessage({ type: 'force' } satisfies ExportMessage);
  }

  async close(): Promise<void> {
    this.producer?.close();
    const r = await this.result;
    await this.worker.terminate();
    for (const fd of this.ownFds) closeSync(fd);
    this.ownFds = [];
    this.reports = r.sinks;
    if (r.sinks.length > 0) this.sinkStats = r.sinks.map((x) => x.stats);
    this.drainMs = r.drainMs;
    if (r.status === 'error') throw new FlowtapError('E_OUTPUT', r.message ?? 'export thread failed');
    const lost = this.producer?.lost ?? 0;
    if (lost > 0) throw new FlowtapError('E_OUTPUT', `${lost} records were lost: the export thread stopped`);
  }
}

function openJsonl(j: JsonlTarget): ExportInit['jsonl'][number] {
  if (j.path === undefined || j.path === '-') {
    if (j.rotate !== undefined) throw new FlowtapError('E_OUTPUT', 'rotation needs an output file (-w <file>), not standard output');
    return { fd: 1, target: 'stdout' };
  }
  if (j.rotate !== undefined) {
    prepareRotatingFile(j.path, j.rotate.keep);
    return { fd: -1, target: j.path, path: j.path, rotate: j.rotate };
  }
  let fd: number;
  try {
    fd = openSync(j.path, 'w');
  } catch (err) {
    throw new FlowtapError('E_OUTPUT', `cannot open output file ${j.path}: ${(err as Error).message}`);
  }
  return { fd, target: j.path, path: j.path };
}
