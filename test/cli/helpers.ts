/**
 * Helpers for the CLI and pipeline tests: paths (repository root, the built
 * CLI, the committed pcap fixtures, the nDPI corpus), running `node
 * dist/cli.js` as a child process, a scratch directory, and builders of
 * synthetic Ethernet/IPv4 frames (UDP, TCP, IP fragments) for pcaps made in
 * the tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FlowRecord } from '../../src/flow/record';
import { v4Word } from '../flow/helpers';
import { pcapFile, PcapRecord } from '../capture/helpers';
import { parseArgs } from '../../src/cli/args';
import { UsageError } from '../../src/util/errors';
import { scratch } from '../support/common';

/** Repository root (tests run from build/test/...). */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/** Small captures copied from the nDPI corpus (see test/fixtures/pcap/README.md). */
export const PCAPS = join(ROOT, 'test', 'fixtures', 'pcap');
export const pcap = (name: string): string => join(PCAPS, name);
/** The shared nDPI corpus, when present. */
export const CORPUS = process.env.FLOWTAP_CORPUS ?? resolve(ROOT, '..', 'shared', 'corpus', 'ndpi', 'pcap');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with args (and optional standard input); waits for it. */
export function flowtap(args: readonly string[], input?: Buffer | string, cwd?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell command line (for pipes such as `| head -1`). */
export function shell(command: string, cwd?: string): Run {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** JSON Lines text to records. */
export function parseJsonl(text: string): FlowRecord[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as FlowRecord);
}

export { scratch };

// ---- synthetic frames --------------------------------------------------------

export function udp(sport: number, dport: number, payload: Buffer = Buffer.alloc(10)): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function tcp(sport: number, dport: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(1000, 4);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  /** The IP payload (or this fragment's part of it). */
  data: Buffer;
  id?: number;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  moreFragments?: boolean;
}

/** An Ethernet II frame carrying one IPv4 packet (checksums left zero: they are not verified). */
export function ethIpv4(o: Ipv4Options): Buffer {
  const eth = Buffer.alloc(14);
  eth.write('020000000001', 0, 'hex');
  eth.write('020000000002', 6, 'hex');
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + o.data.length, 2);
  ip.writeUInt16BE(o.id ?? 1, 4);
  ip.writeUInt16BE(((o.fragOffset ?? 0) >> 3) | (o.moreFragments ? 0x2000 : 0), 6);
  ip[8] = 64;
  ip[9] = o.proto;
  ip.writeInt32BE(v4Word(o.src), 12);
  ip.writeInt32BE(v4Word(o.dst), 16);
  return Buffer.concat([eth, ip, o.data]);
}

/** A new empty directory under the scratch directory. */
export function fresh(name: string): string {
  const d = join(scratch(), `${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** argv must be refused by parseArgs with a UsageError whose message matches. */
export function usage(argv: string[], message: RegExp): void {
  assert.throws(() => parseArgs(argv), (err: unknown) => {
    assert.ok(err instanceof UsageError, `${argv.join(' ')} throws a UsageError`);
    assert.match(err.message, message);
    return true;
  });
}

let manyPcap: string | null = null;
/** A capture of 5,000 one-packet UDP flows over 5 seconds of capture time (about 2.8 MB of JSON Lines), made once. */
export function many(): string {
  if (manyPcap !== null) return manyPcap;
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 5000; i++) {
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    recs.push({ sec: 1_700_000_000 + Math.floor(i / 1000), frac: (i % 1000) * 1000, data: ethIpv4({ src, dst: '10.100.0.1', proto: 17, data: udp(1024 + (i % 60000), 53) }) });
  }
  manyPcap = join(scratch(), 'many.pcap');
  writeFileSync(manyPcap, pcapFile({}, recs));
  return manyPcap;
}
