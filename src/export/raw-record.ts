/**
 * A flow record as a fixed row of numbers (RAW_FIELDS doubles), copied out of
 * the flow table when the record ends, and its JSON Lines serializer. The row
 * is what crosses from the packet thread to the export thread (see
 * export-sink.ts); the same serializer runs inline in JsonlSink, so both
 * paths write identical bytes. Field order in the JSON is docs/schema.md's.
 */
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import { END_REASON_NAMES } from '../flow/expiry';
import { l4Name, readHead, RecordHead } from '../flow/record';
import { communityIdDigest } from '../flow/community-id';
import { TUNNEL_NAMES } from '../decode/packet';
import { ascii, putBase64, putBytes, putIpv4, putIpv6, putUint } from './json-bytes';
import type { DpiEngine } from '../dpi/engine';
import { CONFIDENCE_NAMES } from '../dpi/confidence';
import { CATEGORY_NAMES, PROTOCOL_NAMES } from '../dpi/generated/protocols';
import { categoryId } from '../dpi/label';
import { META_ROOM, writeDpiMeta } from './dpi-json';

export const enum Raw {
  Proto = 0,
  IpVersion,
  Vlan,
  Tunnel,
  /** 4 words each; IPv4 uses the first. */
  SrcAddr,
  DstAddr = SrcAddr + 4,
  SrcPort = DstAddr + 4,
  DstPort,
  OutPkts,
  OutBytes,
  InPkts,
  InBytes,
  FirstMs,
  LastMs,
  FlowId,
  RecordSeq,
  OutFlags,
  InFlags,
  Icmp,
  IcmpType,
  IcmpCode,
  Reason,
  /** DPI label: application and master protocol ids, Confidence. */
  App,
  Master,
  Confidence,
  /** Bytes of the DPI text fields in the record's meta slot (dpi-json.ts). */
  MetaLen,
  /** Where the meta slot starts in a record ring's meta area (record-ring.ts; a wrapping byte count). */
  MetaStart,
  Count,
}

export const RAW_FIELDS = Raw.Count;

const head = new RecordHead();

/**
 * Copies record f of the table into raw[base, base + RAW_FIELDS), and its DPI
 * text fields into meta[metaOff, metaOff + META_ROOM).
 */
export function fillRaw(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null, raw: Float64Array, base: number,
  meta: Buffer, metaOff: number): void {
  const h = readHead(t, f, head);
  const a = t.keyAddr;
  raw[base + Raw.Proto] = h.proto;
  raw[base + Raw.IpVersion] = h.ipVersion;
  raw[base + Raw.Vlan] = h.vlan;
  raw[base + Raw.Tunnel] = t.tunnel[f];
  for (let i = 0; i < 4; i++) {
    raw[base + Raw.SrcAddr + i] = a[h.srcAddrOff + i];
    raw[base + Raw.DstAddr + i] = a[h.dstAddrOff + i];
  }
  raw[base + Raw.SrcPort] = h.srcPort;
  raw[base + Raw.DstPort] = h.dstPort;
  raw[base + Raw.OutPkts] = t.pkts[f << 1];
  raw[base + Raw.OutBytes] = t.bytes[f << 1];
  raw[base + Raw.InPkts] = t.pkts[(f << 1) | 1];
  raw[base + Raw.InBytes] = t.bytes[(f << 1) | 1];
  raw[base + Raw.FirstMs] = h.firstMs;
  raw[base + Raw.LastMs] = h.lastMs;
  raw[base + Raw.FlowId] = t.flowId[f];
  raw[base + Raw.RecordSeq] = t.recordSeq[f];
  raw[base + Raw.OutFlags] = t.tcpFlags[f << 1];
  raw[base + Raw.InFlags] = t.tcpFlags[(f << 1) | 1];
  raw[base + Raw.Icmp] = h.icmp ? 1 : 0;
  raw[base + Raw.IcmpType] = h.icmpType;
  raw[base + Raw.IcmpCode] = h.icmpCode;
  raw[base + Raw.Reason] = reason;
  raw[base + Raw.App] = dpi !== null ? dpi.app[f] : 0;
  raw[base + Raw.Master] = dpi !== null ? dpi.master[f] : 0;
  raw[base + Raw.Confidence] = dpi !== null ? dpi.confidence[f] : 0;
  raw[base + Raw.MetaLen] = writeDpiMeta(dpi, f, meta, metaOff) - metaOff;
}

const K_PROTOCOL = ascii('{"protocol":"');
const K_SRC_ADDR = ascii('","src_addr":"');
const K_SRC_PORT = ascii('","src_port":');
const K_DST_ADDR = ascii(',"dst_addr":"');
const K_DST_PORT = ascii('","dst_port":');
const K_MASTER = ascii(',"master_protocol":');
const K_DETECTED = ascii(',"detected_protocol":');
const K_NAME = ascii(',"protocol_name":"');
const K_CATEGORY = ascii('","category":"');
const K_CONFIDENCE = ascii('","confidence":"');
const K_OUT_PKTS = ascii('","out_pkts":');
const K_OUT_BYTES = ascii(',"out_bytes":');
const K_IN_PKTS = ascii(',"in_pkts":');
const K_IN_BYTES = ascii(',"in_bytes":');
const K_FIRST = ascii(',"first_switched":');
const K_LAST = ascii(',"last_switched":');
const K_FLOW_ID = ascii(',"flow_id":');
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
const K_CID_END = ascii('"');
const K_CLOSE = ascii('}\n');

const L4_NAMES: Uint8Array[] = Array.from({ length: 256 }, (_, p) => ascii(l4Name(p)));
const TUNNELS: Uint8Array[] = TUNNEL_NAMES.map(ascii);
const END_REASONS: Uint8Array[] = END_REASON_NAMES.map(ascii);
const PROTOCOLS: (Uint8Array | undefined)[] = PROTOCOL_NAMES.map((n) => (n === undefined ? undefined : ascii(n)));
const UNKNOWN = ascii('Unknown');
const CATEGORIES: (Uint8Array | undefined)[] = CATEGORY_NAMES.map((n) => (n === undefined ? undefined : ascii(n)));
const CONFIDENCES: Uint8Array[] = CONFIDENCE_NAMES.map(ascii);

/** Room a serialized raw record can take (two IPv6 addresses of at most 39 characters and the meta slot included). */
export const RAW_JSON_ROOM = 1024 + META_ROOM;
export { META_ROOM };

const addrScratch = new Int32Array(8);

/** Writes raw[base...] and its meta bytes as one JSON line (newline included) at buf[p]; returns the end. */
export function formatRaw(raw: Float64Array, base: number, meta: Uint8Array, metaOff: number, buf: Buffer, p: number): number {
  const a = addrScratch;
  for (let i = 0; i < 8; i++) a[i] = raw[base + Raw.SrcAddr + i];
  const v4 = raw[base + Raw.IpVersion] === 4;
  const proto = raw[base + Raw.Proto];
  const srcPort = raw[base + Raw.SrcPort];
  const dstPort = raw[base + Raw.DstPort];
  const firstMs = raw[base + Raw.FirstMs];
  const lastMs = raw[base + Raw.LastMs];
  const icmp = raw[base + Raw.Icmp] === 1;
  const icmpType = raw[base + Raw.IcmpType];
  const icmpCode = raw[base + Raw.IcmpCode];
  p = putBytes(buf, p, K_PROTOCOL);
  p = putBytes(buf, p, L4_NAMES[proto]);
  p = putBytes(buf, p, K_SRC_ADDR);
  p = v4 ? putIpv4(buf, p, a[0]) : putIpv6(buf, p, a, 0);
  p = putBytes(buf, p, K_SRC_PORT);
  p = putUint(buf, p, srcPort);
  p = putBytes(buf, p, K_DST_ADDR);
  p = v4 ? putIpv4(buf, p, a[4]) : putIpv6(buf, p, a, 4);
  p = putBytes(buf, p, K_DST_PORT);
  p = putUint(buf, p, dstPort);
  const app = raw[base + Raw.App];
  const master = raw[base + Raw.Master];
  p = putBytes(buf, p, K_MASTER);
  p = putUint(buf, p, master);
  p = putBytes(buf, p, K_DETECTED);
  p = putUint(buf, p, app);
  p = putBytes(buf, p, K_NAME);
  if (master !== 0 && master !== app) {
    p = putBytes(buf, p, PROTOCOLS[master] ?? UNKNOWN);
    buf[p++] = 46;
  }
  p = putBytes(buf, p, PROTOCOLS[app] ?? UNKNOWN);
  p = putBytes(buf, p, K_CATEGORY);
  p = putBytes(buf, p, CATEGORIES[categoryId(app, master)] ?? CATEGORIES[0] ?? UNKNOWN);
  p = putBytes(buf, p, K_CONFIDENCE);
  p = putBytes(buf, p, CONFIDENCES[raw[base + Raw.Confidence]] ?? CONFIDENCES[0]);
  p = putBytes(buf, p, K_OUT_PKTS);
  p = putUint(buf, p, raw[base + Raw.OutPkts]);
  p = putBytes(buf, p, K_OUT_BYTES);
  p = putUint(buf, p, raw[base + Raw.OutBytes]);
  p = putBytes(buf, p, K_IN_PKTS);
  p = putUint(buf, p, raw[base + Raw.InPkts]);
  p = putBytes(buf, p, K_IN_BYTES);
  p = putUint(buf, p, raw[base + Raw.InBytes]);
  p = putBytes(buf, p, K_FIRST);
  p = putUint(buf, p, Math.floor(firstMs / 1000));
  p = putBytes(buf, p, K_LAST);
  p = putUint(buf, p, Math.floor(lastMs / 1000));
  p = putBytes(buf, p, K_FLOW_ID);
  p = putUint(buf, p, raw[base + Raw.FlowId]);
  p = putBytes(buf, p, K_RECORD_SEQ);
  p = putUint(buf, p, raw[base + Raw.RecordSeq]);
  p = putBytes(buf, p, K_IP_VERSION);
  p = putUint(buf, p, v4 ? 4 : 6);
  p = putBytes(buf, p, K_IP_PROTOCOL);
  p = putUint(buf, p, proto);
  p = putBytes(buf, p, K_VLAN);
  p = putUint(buf, p, raw[base + Raw.Vlan]);
  p = putBytes(buf, p, K_TUNNEL);
  p = putBytes(buf, p, TUNNELS[raw[base + Raw.Tunnel]] ?? TUNNELS[0]);
  p = putBytes(buf, p, K_OUT_FLAGS);
  p = putUint(buf, p, raw[base + Raw.OutFlags]);
  p = putBytes(buf, p, K_IN_FLAGS);
  p = putUint(buf, p, raw[base + Raw.InFlags]);
  if (icmp) {
    p = putBytes(buf, p, K_ICMP_TYPE);
    p = putUint(buf, p, icmpType);
    p = putBytes(buf, p, K_ICMP_CODE);
    p = putUint(buf, p, icmpCode);
  }
  p = putBytes(buf, p, K_FIRST_MS);
  p = putUint(buf, p, firstMs);
  p = putBytes(buf, p, K_LAST_MS);
  p = putUint(buf, p, lastMs);
  p = putBytes(buf, p, K_DURATION);
  p = putUint(buf, p, lastMs - firstMs);
  p = putBytes(buf, p, K_END);
  p = putBytes(buf, p, END_REASONS[raw[base + Raw.Reason]]);
  p = putBytes(buf, p, K_CID);
  const digest = communityIdDigest(v4 ? 4 : 6, a, 0, a, 4, proto, srcPort, dstPort, icmpType, icmpCode);
  p = putBase64(buf, p, digest, 20);
  p = putBytes(buf, p, K_CID_END);
  const n = raw[base + Raw.MetaLen];
  for (let i = 0; i < n; i++) buf[p + i] = meta[metaOff + i];
  p += n;
  return putBytes(buf, p, K_CLOSE);
}
