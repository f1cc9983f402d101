/**
 * Where finished flow records go. This is the seed of the sink interface the
 * exporters (fluentd, Elasticsearch, ClickHouse, IPFIX) implement. A record
 * arrives as a flow table slot, valid only during the call: a sink copies what
 * it needs (raw numbers, or a FlowRecord object from buildRecord()), so sinks
 * that do not need objects never build one. close() flushes whatever is
 * buffered and reports output failures as FlowtapError E_OUTPUT.
 */
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine } from '../dpi/engine';

export interface RecordSink {
  /** Flow f's record; its DPI label and metadata are read from dpi (null when DPI is off). */
  writeFlow(table: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void;
  close(): Promise<void>;
}
