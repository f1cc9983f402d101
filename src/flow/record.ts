/**
 * The exported flow record: built from a flow table slot when a record ends
 * (not per packet). Field names keep ndff's (src is the client; "out" counts
 * client→server) and add flowtap's own; docs/schema.md documents every field.
 */
import type { FlowTable } from './table';
import { END_REASON_NAMES, EndReason } from './expiry';
import { addressToString } from './address';
import { communityId } from './community-id';
import { TUNNEL_NAMES } from '../decode/packet';
import type { DpiEngine } from '../dpi/engine';
import { CONFIDENCE_NAMES } from '../dpi/confidence';
import { categoryName, protocolName } from '../dpi/label';
import { RISK_NAMES } from '../dpi/generated/protocols';

export interface FlowRecord {
  protocol: string;
  src_addr: string;
  src_port: number;
  dst_addr: string;
  dst_port: number;
  master_protocol: number;
  detected_protocol: number;
  protocol_name: string;
  category: string;
  confidence: string;
  out_pkts: number;
  out_bytes: number;
  in_pkts: number;
  in_bytes: number;
  first_switched: number;
  last_switched: number;
  flow_id: number;
  record_seq: number;
  ip_version: number;
  ip_protocol: number;
  vlan_id: number;
  tunnel: string;
  out_tcp_flags: number;
  in_tcp_flags: number;
  icmp_type?: number;
  icmp_code?: number;
  first_switched_ms: number;
  last_switched_ms: number;
  duration_ms: number;
  flow_end_reason: string;
  community_id: string;
  server_name: string;
  /** DPI metadata fields (src/dpi/meta.ts), then risks. */
  [meta: string]: unknown;
  risks: string[];
}

/** L4 protocol names as nDPI and ndff print them; other protocols are printed as their number. */
const L4_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPV6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  113: 'PGM',
  132: 'SCTP',
};

export function l4Name(proto: number): string {
  return L4_NAMES[proto] ?? String(proto);
}

/**
 * The values of a record that are derived from the table's key arrays, in
 * client/server orientation. Filled into a caller's reusable object, so the
 * JSONL writer and buildRecord() share one reading of the table.
 */
export class RecordHead {
  proto = 0;
  ipVersion = 0;
  vlan = 0;
  /** Offsets of the client's and the server's address words in table.keyAddr. */
  srcAddrOff = 0;
  dstAddrOff = 0;
  srcPort = 0;
  dstPort = 0;
  firstMs = 0;
  lastMs = 0;
  icmp = false;
  icmpType = 0;
  icmpCode = 0;
}

export function readHead(t: FlowTable, f: number, h: RecordHead): RecordHead {
  const meta = t.keyMeta[f];
  h.proto = meta & 0xff;
  h.ipVersion = (meta >> 8) & 0xf;
  h.vlan = (meta >>> 12) & 0xfff;
  const clientA = t.clientIsA[f] === 1;
  h.srcAddrOff = (f << 3) + (clientA ? 0 : 4);
  h.dstAddrOff = (f << 3) + (clientA ? 4 : 0);
  const ports = t.keyPorts[f];
  const aPort = (ports >>> 16) & 0xffff;
  const bPort = ports & 0xffff;
  h.srcPort = clientA ? aPort : bPort;
  h.dstPort = clientA ? bPort : aPort;
  h.firstMs = Math.floor(t.firstMs[f]);
  h.lastMs = Math.floor(t.lastMs[f]);
  h.icmp = h.proto === 1 || h.proto === 58;
  const tc = t.icmpTypeCode[f];
  h.icmpType = tc >> 8;
  h.icmpCode = tc & 0xff;
  return h;
}

const head = new RecordHead();

export function buildRecord(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null = null): FlowRecord {
  const h = readHead(t, f, head);
  const proto = h.proto;
  const ipv = h.ipVersion;
  const first = h.firstMs;
  const last = h.lastMs;
  const rec: FlowRecord = {
    protocol: l4Name(proto),
    src_addr: addressToString(ipv, t.keyAddr, h.srcAddrOff),
    src_port: h.srcPort,
    dst_addr: addressToString(ipv, t.keyAddr, h.dstAddrOff),
    dst_port: h.dstPort,
    master_protocol: dpi !== null ? dpi.master[f] : 0,
    detected_protocol: dpi !== null ? dpi.app[f] : 0,
    protocol_name: dpi !== null ? protocolName(dpi.app[f], dpi.master[f]) : 'Unknown',
    category: dpi !== null ? categoryName(dpi.app[f], dpi.master[f]) : 'Unspecified',
    confidence: CONFIDENCE_NAMES[dpi !== null ? dpi.confidence[f] : 0],
    out_pkts: t.pkts[f << 1],
    out_bytes: t.bytes[f << 1],
    in_pkts: t.pkts[(f << 1) | 1],
    in_bytes: t.bytes[(f << 1) | 1],
    first_switched: Math.floor(first / 1000),
    last_switched: Math.floor(last / 1000),
    flow_id: t.flowId[f],
    record_seq: t.recordSeq[f],
    ip_version: ipv,
    ip_protocol: proto,
    vlan_id: h.vlan,
    tunnel: TUNNEL_NAMES[t.tunnel[f]] ?? '',
    out_tcp_flags: t.tcpFlags[f << 1],
    in_tcp_flags: t.tcpFlags[(f << 1) | 1],
    first_switched_ms: first,
    last_switched_ms: last,
    duration_ms: last - first,
    flow_end_reason: END_REASON_NAMES[reason],
    community_id: communityId(ipv === 6 ? 6 : 4, t.keyAddr, h.srcAddrOff, t.keyAddr, h.dstAddrOff, proto, h.srcPort, h.dstPort, h.icmpType, h.icmpCode),
    server_name: '',
    risks: [],
  };
  const fd = dpi?.flow(f);
  if (fd !== undefined) {
    const sn = fd.getMeta('server_name');
    if (typeof sn === 'string') rec.server_name = sn;
    delete (rec as Partial<FlowRecord>).risks;
    for (const [k, v] of Object.entries(fd.metaObject())) if (k !== 'server_name') rec[k] = Array.isArray(v) ? v.slice() : v;
    rec.risks = (fd.risks ?? []).map((r) => RISK_NAMES[r] ?? String(r));
  }
  return h.icmp ? withIcmp(rec, h.icmpType, h.icmpCode) : rec;
}

/** The record with icmp_type/icmp_code in their documented place (before first_switched_ms). */
function withIcmp(r: FlowRecord, type: number, code: number): FlowRecord {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'first_switched_ms') {
      out.icmp_type = type;
      out.icmp_code = code;
    }
    out[k] = v;
  }
  return out as unknown as FlowRecord;
}

const TCP_FLAG_LETTERS = 'FSRPAUEC';

/** TCP flags as letters (F S R P A U E C), as tcpdump and nfdump print them. */
export function tcpFlagsString(flags: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) if (flags & (1 << i)) s += TCP_FLAG_LETTERS[i];
  return s;
}

function endpoint(addr: string, port: number, ipv: number): string {
  return ipv === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** ndff's / ndpiReader's human-readable flow line (`-v 2`), numbered from 1. */
export function formatTextLine(r: FlowRecord, n: number): string {
  let s = `\t${n}\t${r.protocol} ${endpoint(r.src_addr, r.src_port, r.ip_version)} <-> ${endpoint(r.dst_addr, r.dst_port, r.ip_version)}`;
  if (r.vlan_id) s += `[VLAN: ${r.vlan_id}]`;
  if (r.tunnel) s += `[${r.tunnel}]`;
  const id = r.master_protocol ? `${r.master_protocol}.${r.detected_protocol}` : `${r.detected_protocol}`;
  s += `[proto: ${id}/${r.protocol_name}]`;
  s += `[${r.out_pkts} pkts/${r.out_bytes} bytes <-> ${r.in_pkts} pkts/${r.in_bytes} bytes]`;
  if (r.protocol === 'TCP') s += `[flags: ${tcpFlagsString(r.out_tcp_flags) || '-'} <-> ${tcpFlagsString(r.in_tcp_flags) || '-'}]`;
  s += `[${(r.duration_ms / 1000).toFixed(3)} s][end: ${r.flow_end_reason}]`;
  if (r.server_name) s += `[Host: ${r.server_name}]`;
  return s;
}
