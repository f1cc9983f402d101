/**
 * Helpers for the Elasticsearch transport tests: flow records of the sample
 * capture (the CLI's JSON Lines output), a synthetic record, a self-signed
 * certificate made with openssl, and a SinkLog that keeps its lines.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import type { SinkLog } from '../../../src/export/sinks/transport';
import { ROOT, flowtap, parseJsonl, scratch } from '../../cli/helpers';

let sample: FlowRecord[] | null = null;

/** The records of samples/sample.pcap, as `flowtap -r samples/sample.pcap --format jsonl` prints them. */
export function sampleRecords(): FlowRecord[] {
  if (sample === null) {
    const run = flowtap(['-r', join(ROOT, 'samples', 'sample.pcap'), '--format', 'jsonl']);
    if (run.code !== 0) throw new Error(`flowtap failed: ${run.stderr}`);
    sample = parseJsonl(run.stdout);
    if (sample.length === 0) throw new Error('no records from samples/sample.pcap');
  }
  return sample.map((r) => structuredClone(r));
}

export function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    protocol: 'UDP', src_addr: '10.0.0.1', src_port: 1234, dst_addr: '8.8.8.8', dst_port: 53,
    master_protocol: 0, detected_protocol: 5, protocol_name: 'DNS', category: 'Network', confidence: 'dpi',
    out_pkts: 1, out_bytes: 74, in_pkts: 1, in_bytes: 90,
    first_switched: 1_700_000_000, last_switched: 1_700_000_000, flow_id: 1, record_seq: 0,
    ip_version: 4, ip_protocol: 17, vlan_id: 0, tunnel: '', out_tcp_flags: 0, in_tcp_flags: 0,
    first_switched_ms: 1_700_000_000_000, last_switched_ms: 1_700_000_000_010, duration_ms: 10,
    flow_end_reason: 'idle', community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', server_name: 'example.com', risks: [],
    ...over,
  };
}

/** n distinct records (flow_id 1..n) one second apart from `startMs`. */
export function records(n: number, startMs = 1_700_000_000_000): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ms = startMs + i * 1000;
    out.push(record({
      flow_id: i + 1, src_port: 1024 + i, first_switched_ms: ms, last_switched_ms: ms + 10,
      first_switched: Math.floor(ms / 1000), last_switched: Math.floor((ms + 10) / 1000),
    }));
  }
  return out;
}

export interface Cert {
  key: Buffer;
  cert: Buffer;
}

let certCount = 0;

/** A self-signed certificate for localhost and 127.0.0.1 made with openssl; null when openssl is missing. */
export function selfSigned(cn = 'localhost'): Cert | null {
  const dir = scratch();
  const n = certCount++;
  const key = join(dir, `es-${n}.key`);
  const cert = join(dir, `es-${n}.crt`);
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export class MemoryLog implements SinkLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
}
