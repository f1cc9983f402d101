/**
 * JSON Lines output (`--format jsonl`) on the calling thread: one flow record
 * per line, the fields of docs/schema.md in a fixed order. The record's
 * numbers are copied out of the flow table and serialized straight into the
 * output buffer (raw-record.ts: no record object, no intermediate strings).
 * The CLI uses ExportSink (export-sink.ts), which runs the same serializer on
 * the export thread.
 */
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { RecordSink } from './sink';
import { LineOutput } from './output';
import type { DpiEngine } from '../dpi/engine';
import { fillRaw, formatRaw, META_ROOM, RAW_FIELDS, RAW_JSON_ROOM } from './raw-record';

export class JsonlSink implements RecordSink {
  private readonly raw = new Float64Array(RAW_FIELDS);
  private readonly meta = Buffer.alloc(META_ROOM);
  constructor(private readonly out: LineOutput) {}

  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    fillRaw(t, f, reason, dpi, this.raw, 0, this.meta, 0);
    const o = this.out;
    o.ensure(RAW_JSON_ROOM);
    o.pos = formatRaw(this.raw, 0, this.meta, 0, o.buf, o.pos);
    o.endOfLine();
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
