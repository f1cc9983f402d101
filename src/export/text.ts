/**
 * ndff's human-readable flow lines (`-v 2`, `--format text`): one numbered
 * line per flow, as ndpiReader prints them; `-v 1` prints only the flows whose
 * application is unknown.
 */
import { buildRecord, formatTextLine, type FlowRecord } from '../flow/record';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';
import type { RecordSink } from './sink';
import { LineOutput } from './output';

export class TextSink implements RecordSink {
  private n = 0;
  constructor(private readonly out: LineOutput, private readonly onlyUnknown = false) {}
  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.write(buildRecord(t, f, reason, dpi));
  }

  write(rec: FlowRecord): void {
    if (this.onlyUnknown && rec.protocol_name !== 'Unknown') return;
    this.out.line(formatTextLine(rec, ++this.n));
  }
  close(): Promise<void> {
    return this.out.close();
  }
}
