/**
 * One record sink feeding several: e.g. ndff's text lines on standard output
 * (TextSink, on the packet thread) beside the network sinks (ExportSink).
 * close() closes every sink, even after one failed, and then reports the
 * first failure.
 */
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';
import type { RecordSink } from './sink';

export class TeeSink implements RecordSink {
  constructor(private readonly sinks: readonly RecordSink[]) {}

  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    for (const s of this.sinks) s.writeFlow(t, f, reason, dpi);
  }

  async close(): Promise<void> {
    let first: unknown;
    for (const s of this.sinks) {
      try {
        await s.close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}
