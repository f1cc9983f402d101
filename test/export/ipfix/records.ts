/**
 * Flow records for the IPFIX / NetFlow v9 exporter tests: a builder with
 * plausible defaults, and the records of real captures (flowtap's own
 * `--format jsonl` output, read through dist/cli.js).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { CORPUS, ROOT, flowtap, parseJsonl } from '../../cli/helpers';

export function makeRecord(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    protocol: 'TCP',
    src_addr: '192.0.2.20',
    src_port: 50412,
    dst_addr: '203.0.113.80',
    dst_port: 443,
    master_protocol: 0,
    detected_protocol: 91,
    protocol_name: 'TLS',
    category: 'Web',
    confidence: 'dpi',
    out_pkts: 12,
    out_bytes: 1370,
    in_pkts: 7,
    in_bytes: 4622,
    first_switched: 1710408630,
    last_switched: 1710408630,
    flow_id: 8,
    record_seq: 0,
    ip_version: 4,
    ip_protocol: 6,
    vlan_id: 0,
    tunnel: '',
    out_tcp_flags: 27,
    in_tcp_flags: 27,
    first_switched_ms: 1710408630201,
    last_switched_ms: 1710408630301,
    duration_ms: 100,
    flow_end_reason: 'fin',
    community_id: '1:9CYGdLg5j3fdvX0vjRFAyihuNgY=',
    server_name: 'www.example.org',
    risks: [],
    ...over,
  };
}

/** Records of a capture as `node dist/cli.js -r <file> --format jsonl` prints them. */
export function captureRecords(file: string): FlowRecord[] {
  const r = flowtap(['-r', file, '--format', 'jsonl', '-q']);
  if (r.code !== 0) throw new Error(`flowtap -r ${file} exited ${String(r.code)}: ${r.stderr}`);
  return parseJsonl(r.stdout);
}

export const SAMPLE_PCAP = join(ROOT, 'samples', 'sample.pcap');

/**
 * nDPI corpus captures with IPv6 flows (QUIC, ICMP and ICMPv6 over both IP
 * versions; TCP/TLS over IPv6 with Master.App labels; IPv6 in IPv4 tunnels),
 * those present; empty without the corpus.
 */
export function corpusIPv6Pcaps(): string[] {
  return ['quic_interop_V.pcapng', 'tumblr.pcap', '6in4tunnel.pcap'].map((f) => join(CORPUS, f)).filter((f) => existsSync(f));
}
