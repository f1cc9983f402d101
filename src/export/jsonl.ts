/**
 * JSON Lines output (`--format jsonl`): one flow record per line, the fields
 * of docs/schema.md in a fixed order. Two ways in, same bytes out:
 *  - writeFlow() copies the record's numbers out of the flow table and
 *    serializes them straight into the output buffer (raw-record.ts: no
 *    record object, no intermediate strings);
 *  - write() takes a FlowRecord object (for records built elsewhere).
 */
import type { FlowRecord } from '../flow/record';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { RecordSink } from './sink';
import { LineOutput } from './output';
import { fillRaw, formatRaw, RAW_FIELDS, RAW_JSON_ROOM } from './raw-record';

const q = JSON.stringify;

/** The record as one line of JSON (no trailing newline). */
export function recordToJson(r: FlowRecord): string {
  let s =
    `{"protocol":"${r.protocol}","src_addr":"${r.src_addr}","src_port":${r.src_port},"dst_addr":"${r.dst_addr}","dst_port":${r.dst_port}` +
    `,"master_protocol":${r.master_protocol},"detected_protocol":${r.detected_protocol},"protocol_name":${q(r.protocol_name)}` +
    `,"out_pkts":${r.out_pkts},"out_bytes":${r.out_bytes},"in_pkts":${r.in_pkts},"in_bytes":${r.in_bytes}` +
    `,"first_switched":${r.first_switched},"last_switched":${r.last_switched},"server_name":${q(r.server_name)}` +
    `,"flow_id":${r.flow_id},"record_seq":${r.record_seq},"ip_version":${r.ip_version},"ip_protocol":${r.ip_protocol}` +
    `,"vlan_id":${r.vlan_id},"tunnel":"${r.tunnel}","out_tcp_flags":${r.out_tcp_flags},"in_tcp_flags":${r.in_tcp_flags}`;
  if (r.icmp_type !== undefined) s += `,"icmp_type":${r.icmp_type},"icmp_code":${r.icmp_code}`;
  return (
    s +
    `,"first_switched_ms":${r.first_switched_ms},"last_switched_ms":${r.last_switched_ms},"duration_ms":${r.duration_ms}` +
    `,"flow_end_reason":"${r.flow_end_reason}","community_id":"${r.community_id}"}`
  );
}

export class JsonlSink implements RecordSink {
  private readonly raw = new Float64Array(RAW_FIELDS);
  constructor(private readonly out: LineOutput) {}

  write(rec: FlowRecord): void {
    this.out.line(recordToJson(rec));
  }

  writeFlow(t: FlowTable, f: number, reason: EndReason): void {
    fillRaw(t, f, reason, this.raw, 0);
    const o = this.out;
    o.ensure(RAW_JSON_ROOM);
    o.pos = formatRaw(this.raw, 0, o.buf, o.pos);
    o.endOfLine();
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
