/**
 * JSON Lines output (`--format jsonl`): one flow record per line, the fields
 * of docs/schema.md in a fixed order. Two ways in, same bytes out:
 *  - writeFlow() serializes straight from the flow table into the output
 *    buffer (the probe's path: no record object, no intermediate strings for
 *    the fixed fields);
 *  - write() takes a FlowRecord object (for records built elsewhere).
 */
import type { FlowRecord } from '../flow/record';
import { readHead, RecordHead } from '../flow/record';
import type { FlowTable } from '../flow/table';
import { END_REASON_NAMES, EndReason } from '../flow/expiry';
import { l4Name } from '../flow/record';
import { ipv6ToString } from '../flow/address';
import { communityIdDigest } from '../flow/community-id';
import { TUNNEL_NAMES } from '../decode/packet';
import type { RecordSink } from './sink';
import { LineOutput } from './output';
import { ascii, putBase64, putBytes, putIpv4, putPlain, putUint } from './json-bytes';

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

const K_PROTOCOL = ascii('{"protocol":"');
const K_SRC_ADDR = ascii('","src_addr":"');
const K_SRC_PORT = ascii('","src_port":');
const K_DST_ADDR = ascii(',"dst_addr":"');
const K_DST_PORT = ascii('","dst_port":');
const K_DPI_UNKNOWN_OUT_PKTS = ascii(',"master_protocol":0,"detected_protocol":0,"protocol_name":"Unknown","out_pkts":');
const K_OUT_BYTES = ascii(',"out_bytes":');
const K_IN_PKTS = ascii(',"in_pkts":');
const K_IN_BYTES = ascii(',"in_bytes":');
const K_FIRST = ascii(',"first_switched":');
const K_LAST = ascii(',"last_switched":');
const K_SERVER_NAME_EMPTY_FLOW_ID = ascii(',"server_name":"","flow_id":');
const K_RECORD_SEQ = ascii(',"record_seq":');
const K_IP_VERSION = ascii(',"ip_version":');
const K_IP_PROTOCOL = ascii(',"ip_protocol":');
const K_VLAN = ascii(',"vlan_id":');
const K_TUNNEL = ascii(',"tunnel":"');
const K_OUT_FLAGS = ascii('","out_tcp_flags":');
const K_IN_FLAGS = ascii(',"in_tcp_flags":');
const K_ICMP_TYPE = ascii(',"icmp_type":');
const K_ICMP_CODE = ascii(',"icmp_code":');
const K_FIRST_MS = ascii(',"first_switched_ms":');
const K_LAST_MS = ascii(',"last_switched_ms":');
const K_DURATION = ascii(',"duration_ms":');
const K_END = ascii(',"flow_end_reason":"');
const K_CID = ascii('","community_id":"1:');
const K_CLOSE = ascii('"}');

const L4_NAMES: Uint8Array[] = Array.from({ length: 256 }, (_, p) => ascii(l4Name(p)));
const TUNNELS: Uint8Array[] = TUNNEL_NAMES.map(ascii);
const END_REASONS: Uint8Array[] = END_REASON_NAMES.map(ascii);

/** Bytes of a record line apart from its addresses and free text. */
const FIXED_ROOM = 1024;

export class JsonlSink implements RecordSink {
  private readonly head = new RecordHead();
  constructor(private readonly out: LineOutput) {}

  write(rec: FlowRecord): void {
    this.out.line(recordToJson(rec));
  }

  writeFlow(t: FlowTable, f: number, reason: EndReason): void {
    const o = this.out;
    const h = readHead(t, f, this.head);
    const addr = t.keyAddr;
    const v4 = h.ipVersion === 4;
    const src = v4 ? '' : ipv6ToString(addr, h.srcAddrOff);
    const dst = v4 ? '' : ipv6ToString(addr, h.dstAddrOff);
    o.ensure(FIXED_ROOM + src.length + dst.length);
    const buf = o.buf;
    let p = o.pos;
    p = putBytes(buf, p, K_PROTOCOL);
    p = putBytes(buf, p, L4_NAMES[h.proto]);
    p = putBytes(buf, p, K_SRC_ADDR);
    p = v4 ? putIpv4(buf, p, addr[h.srcAddrOff]) : putPlain(buf, p, src);
    p = putBytes(buf, p, K_SRC_PORT);
    p = putUint(buf, p, h.srcPort);
    p = putBytes(buf, p, K_DST_ADDR);
    p = v4 ? putIpv4(buf, p, addr[h.dstAddrOff]) : putPlain(buf, p, dst);
    p = putBytes(buf, p, K_DST_PORT);
    p = putUint(buf, p, h.dstPort);
    p = putBytes(buf, p, K_DPI_UNKNOWN_OUT_PKTS);
    p = putUint(buf, p, t.pkts[f << 1]);
    p = putBytes(buf, p, K_OUT_BYTES);
    p = putUint(buf, p, t.bytes[f << 1]);
    p = putBytes(buf, p, K_IN_PKTS);
    p = putUint(buf, p, t.pkts[(f << 1) | 1]);
    p = putBytes(buf, p, K_IN_BYTES);
    p = putUint(buf, p, t.bytes[(f << 1) | 1]);
    p = putBytes(buf, p, K_FIRST);
    p = putUint(buf, p, Math.floor(h.firstMs / 1000));
    p = putBytes(buf, p, K_LAST);
    p = putUint(buf, p, Math.floor(h.lastMs / 1000));
    p = putBytes(buf, p, K_SERVER_NAME_EMPTY_FLOW_ID);
    p = putUint(buf, p, t.flowId[f]);
    p = putBytes(buf, p, K_RECORD_SEQ);
    p = putUint(buf, p, t.recordSeq[f]);
    p = putBytes(buf, p, K_IP_VERSION);
    p = putUint(buf, p, h.ipVersion);
    p = putBytes(buf, p, K_IP_PROTOCOL);
    p = putUint(buf, p, h.proto);
    p = putBytes(buf, p, K_VLAN);
    p = putUint(buf, p, h.vlan);
    p = putBytes(buf, p, K_TUNNEL);
    p = putBytes(buf, p, TUNNELS[t.tunnel[f]] ?? TUNNELS[0]);
    p = putBytes(buf, p, K_OUT_FLAGS);
    p = putUint(buf, p, t.tcpFlags[f << 1]);
    p = putBytes(buf, p, K_IN_FLAGS);
    p = putUint(buf, p, t.tcpFlags[(f << 1) | 1]);
    if (h.icmp) {
      p = putBytes(buf, p, K_ICMP_TYPE);
      p = putUint(buf, p, h.icmpType);
      p = putBytes(buf, p, K_ICMP_CODE);
      p = putUint(buf, p, h.icmpCode);
    }
    p = putBytes(buf, p, K_FIRST_MS);
    p = putUint(buf, p, h.firstMs);
    p = putBytes(buf, p, K_LAST_MS);
    p = putUint(buf, p, h.lastMs);
    p = putBytes(buf, p, K_DURATION);
    p = putUint(buf, p, h.lastMs - h.firstMs);
    p = putBytes(buf, p, K_END);
    p = putBytes(buf, p, END_REASONS[reason]);
    p = putBytes(buf, p, K_CID);
    const digest = communityIdDigest(v4 ? 4 : 6, addr, h.srcAddrOff, addr, h.dstAddrOff, h.proto, h.srcPort, h.dstPort, h.icmpType, h.icmpCode);
    p = putBase64(buf, p, digest, 20);
    o.pos = putBytes(buf, p, K_CLOSE);
    o.endLine();
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
