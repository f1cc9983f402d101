/**
 * Where finished flow records go. This is the seed of the sink interface the
 * exporters (fluentd, Elasticsearch, ClickHouse, IPFIX) implement: records
 * are written one at a time, synchronously, from the flow stage; close()
 * flushes whatever is buffered.
 */
import type { FlowRecord } from '../flow/record';

export interface RecordSink {
  write(rec: FlowRecord): void;
  close(): Promise<void>;
}
