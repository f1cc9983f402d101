/**
 * JSON Lines output serialized on a second thread. The packet thread only
 * copies each ending record's numbers (fillRaw) into a bounded shared ring
 * (record-ring.ts); the output thread (jsonl-worker.ts) formats and writes
 * them, so record formatting and the community-ID hash run beside packet
 * processing instead of inside it. Bytes and order are exactly JsonlSink's.
 * When the ring is full the packet thread waits: nothing is dropped.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';
import type { RecordSink } from './sink';
import type { LineOutput } from './output';
import { createRing, RingProducer } from './record-ring';
import { fillRaw } from './raw-record';
import { FlowtapError } from '../util/errors';

/** Records in flight between the threads (about 17 MiB of shared memory, mostly DPI text slots). */
const RING_CAPACITY = 4096;

interface WorkerResult {
  status: 'ok' | 'epipe' | 'error';
  message?: string;
}

export class ThreadedJsonlSink implements RecordSink {
  private readonly producer: RingProducer;
  private readonly worker: Worker;
  private readonly result: Promise<WorkerResult>;

  constructor(private readonly out: LineOutput, capacity = RING_CAPACITY) {
    const ring = createRing(capacity);
    this.producer = new RingProducer(ring);
    this.worker = new Worker(join(__dirname, 'jsonl-worker.js'), { workerData: { ring, fd: out.fd, target: out.target } });
    this.result = new Promise<WorkerResult>((resolve) => {
      this.worker.once('message', (m: WorkerResult) => resolve(m));
      this.worker.once('error', (err) => resolve({ status: 'error', message: `output thread failed: ${err.message}` }));
      this.worker.once('exit', (code) => resolve({ status: 'error', message: `output thread stopped (exit code ${code})` }));
    });
  }

  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    const p = this.producer;
    const row = p.reserve();
    fillRaw(t, f, reason, dpi, p.rows, row, p.meta, p.metaOffset(row));
    this.producer.publish();
  }

  /** Times the packet thread waited because the output thread was behind. */
  get waits(): number {
    return this.producer.waits;
  }

  async close(): Promise<void> {
    this.producer.close();
    const r = await this.result;
    await this.out.close();
    if (r.status === 'error') throw new FlowtapError('E_OUTPUT', r.message ?? 'output thread failed');
  }
}
