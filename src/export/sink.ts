/**
 * Where finished flow records go. This is the seed of the sink interface the
 * exporters (fluentd, Elasticsearch, ClickHouse, IPFIX) implement: records
 * are written one at a time, synchronously, from the flow stage; close()
 * flushes whatever is buffered.
 */
import type { FlowRecord } from '../flow/record';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';

export interface RecordSink {
  write(rec: FlowRecord): void;
  /**
   * Optional fast path: serialize the record straight from flow table slot f
   * (valid only during the call). When present, the probe uses it instead of
   * building a FlowRecord object; the output must equal write(buildRecord(...)).
   */
  writeFlow?(table: FlowTable, f: number, reason: EndReason): void;
  close(): Promise<void>;
}
