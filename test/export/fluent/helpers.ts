/**
 * Helpers for the fluentd forward transport tests: realistic flow records
 * (every kind of value docs/schema.md has: IPv6, non-ASCII names, integers
 * beyond 32 bits, optional ICMP fields, DPI metadata, risks), the Python
 * peers under peers/ (run with Debian's /usr/bin/python3 and python3-msgpack,
 * skipped with a reason when missing), a free TCP port, and self-signed
 * certificates made with openssl.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FlowRecord } from '../../../src/flow/record';
import { rng } from '../../support/common';
import { ROOT } from '../../cli/helpers';

export const PEERS = join(ROOT, 'test', 'export', 'fluent', 'peers');
export const PYTHON = '/usr/bin/python3';

/** Why the Python peers cannot run here, or null when they can. */
export function pythonMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3 and python3-msgpack)`;
  const r = spawnSync(PYTHON, ['-c', 'import msgpack'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} cannot import msgpack (apt-get install python3-msgpack)`;
}

/** Why openssl cannot be used here, or null. */
export function opensslMissing(): string | null {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'openssl not found (apt-get install openssl)';
}

/** A FlowRecord with realistic values; i varies the kind. */
export function flowRecord(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  const r = rng(1000 + i);
  const kind = i % 4;
  const first = 1_700_000_000_000 + i * 1013;
  const duration = Math.floor(r() * 90_000);
  const rec: FlowRecord = {
    protocol: ['TCP', 'UDP', 'ICMP', 'TCP'][kind],
    src_addr: kind === 3 ? '2001:db8::1' : `10.0.${i % 250}.${1 + (i % 200)}`,
    src_port: kind === 2 ? 0 : 40000 + (i % 20000),
    dst_addr: kind === 3 ? '2001:db8:ffff::53' : '93.184.216.34',
    dst_port: [443, 53, 0, 22][kind],
    master_protocol: kind === 1 ? 5 : 0,
    detected_protocol: [91, 126, 81, 92][kind],
    protocol_name: ['TLS', 'DNS.Google', 'ICMP', 'SSH'][kind],
    category: ['Web', 'Network', 'Network', 'RemoteAccess'][kind],
    confidence: kind === 2 ? 'port' : 'dpi',
    out_pkts: 1 + Math.floor(r() * 1000),
    out_bytes: i % 5 === 0 ? 6_000_000_000 + i : Math.floor(r() * 1_000_000),
    in_pkts: Math.floor(r() * 1000),
    in_bytes: Math.floor(r() * 10_000_000),
    first_switched: Math.floor(first / 1000),
    last_switched: Math.floor((first + duration) / 1000),
    flow_id: i + 1,
    record_seq: 0,
    ip_version: kind === 3 ? 6 : 4,
    ip_protocol: [6, 17, 1, 6][kind],
    vlan_id: i % 7 === 0 ? 100 : 0,
    tunnel: i % 11 === 0 ? 'VXLAN' : '',
    out_tcp_flags: kind === 0 || kind === 3 ? 27 : 0,
    in_tcp_flags: kind === 0 || kind === 3 ? 19 : 0,
    first_switched_ms: first,
    last_switched_ms: first + duration,
    duration_ms: duration,
    flow_end_reason: ['idle', 'fin', 'rst', 'end_of_input'][kind],
    community_id: `1:${Buffer.from(`flow${i}`).toString('base64')}`,
    server_name: ['www.example.com', 'bücher.example', '', 'ssh.example.net'][kind],
    risks: kind === 0 ? ['Known Proto on Non Std Port', 'Weak TLS Cipher'] : [],
  };
  if (kind === 2) {
    rec.icmp_type = 8;
    rec.icmp_code = 0;
  }
  if (kind === 0) {
    rec.ja4 = 't13d1516h2_8daaf6152771_02713d6af862';
    rec.tls_not_before = 1_690_000_000_000;
    rec.user_agent = 'Mozilla/5.0 "quoted" \\ back\u00e9slash \u{1F600}';
  }
  return { ...rec, ...over };
}

export const records = (n: number, from = 0): FlowRecord[] => Array.from({ length: n }, (_, i) => flowRecord(from + i));

/** What the record looks like after a JSON round trip (undefined members gone). */
export const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

// ---- the Python receiver -------------------------------------------------------

export interface ReceivedEvent {
  tag: string;
  time: number;
  nsec: number | null;
  time_type: string;
  record: Record<string, unknown>;
  mode: string;
  encoding: string;
  chunk: string | null;
  size: number | null;
  entries_format: string | null;
  conn: number;
}

export interface ConnEvent {
  event: 'connect' | 'close' | 'auth' | 'error';
  conn: number;
  ok?: boolean;
  reason?: string;
  error?: string;
}

export class Receiver {
  private constructor(
    readonly port: number,
    readonly out: string,
    private readonly proc: ChildProcess,
    private readonly dir: string,
  ) {}

  /** Starts peers/receiver.py with extra args (port 0 = any free port). */
  static async start(args: string[] = [], port = 0): Promise<Receiver> {
    const dir = mkdtempSync(join(tmpdir(), 'flowtap-fluent-'));
    const out = join(dir, `events-${Date.now()}-${Math.floor(Math.random() * 1e6)}.jsonl`);
    writeFileSync(out, '');
    const proc = spawn(PYTHON, [join(PEERS, 'receiver.py'), '--port', String(port), '--out', out, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: proc.stdout! });
      rl.once('line', (l) => {
        rl.close();
        resolve(l);
      });
      proc.once('exit', (code) => reject(new Error(`receiver.py exited with ${code} before listening`)));
    });
    const listening = (JSON.parse(first) as { listening: number }).listening;
    return new Receiver(listening, out, proc, dir);
  }

  lines(): (ReceivedEvent | ConnEvent)[] {
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ReceivedEvent | ConnEvent);
  }

  events(): ReceivedEvent[] {
    return this.lines().filter((l): l is ReceivedEvent => !('event' in l));
  }

  connEvents(): ConnEvent[] {
    return this.lines().filter((l): l is ConnEvent => 'event' in l);
  }

  /** Waits (polling, up to limitMs) until at least n events were written; returns all events. */
  async waitForEvents(n: number, limitMs = 20_000): Promise<ReceivedEvent[]> {
    const end = Date.now() + limitMs;
    for (;;) {
      const ev = this.events();
      if (ev.length >= n) return ev;
      if (Date.now() > end) throw new Error(`receiver got ${ev.length} of ${n} events; its log: ${JSON.stringify(this.connEvents())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the receiver and waits for it to exit (its events stay readable until cleanup()). */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGKILL');
    await exited;
  }

  /** Stops the receiver and removes its files. */
  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs peers/decode.py on msgpack bytes; returns its parsed output. */
export function pythonDecode(bytes: Buffer): DecodedMessage[] {
  const r = spawnSync(PYTHON, [join(PEERS, 'decode.py')], { input: bytes, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`decode.py failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString('utf8')) as DecodedMessage[];
}

export interface DecodedMessage {
  tag: string;
  mode: 'message' | 'forward' | 'packed' | 'compressed';
  entries_format: 'bin' | 'str' | null;
  option: Record<string, unknown> | null;
  events: [unknown, Record<string, unknown>][];
  length: number;
}

// ---- certificates --------------------------------------------------------------

export interface Cert {
  dir: string;
  cert: Buffer;
  key: Buffer;
  cleanup(): void;
}

/** A self-signed certificate for localhost / 127.0.0.1 (P-256), made with openssl. */
export function selfSigned(cn = 'localhost'): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-tls-'));
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return {
    dir,
    cert: readFileSync(join(dir, 'cert.pem')),
    key: readFileSync(join(dir, 'key.pem')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
