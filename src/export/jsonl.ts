/**
 * JSON Lines output (`--format jsonl`): one flow record per line, the fields
 * of docs/schema.md in a fixed order.
 */
import type { FlowRecord } from '../flow/record';
import type { RecordSink } from './sink';
import { LineOutput } from './output';

export class JsonlSink implements RecordSink {
  constructor(private readonly out: LineOutput) {}
  write(rec: FlowRecord): void {
    this.out.line(JSON.stringify(rec));
  }
  close(): Promise<void> {
    return this.out.close();
  }
}
