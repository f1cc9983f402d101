/**
 * Compiles tcpdump filter expressions (pcap-filter(7) syntax) into classic
 * BPF programs by running the system's tcpdump, so flowtap needs no native
 * addon and accepts exactly the language tcpdump and ndff accept.
 *
 * How: tcpdump reads a capture file header (24 bytes, no packets) from its
 * standard input, which sets the link type, and prints the optimized program
 * with `-ddd` (an instruction count, then `code jt jf k` per line):
 *
 *   tcpdump -r - -ddd -- '<expression>'   < pcap header for LINKTYPE_x
 *
 * Going through a file header rather than `-y <DLT name>` works for every
 * LINKTYPE_* value libpcap knows without a name table, and lets the header's
 * byte order select how LINKTYPE_NULL's host-order family field is tested,
 * exactly as when tcpdump reads a file of that byte order.
 *
 * Compilation is per link type, because the same expression compiles to
 * different offsets on Ethernet, Linux cooked capture, raw IP and so on.
 * "expression rejects all packets" (e.g. `ip6` on LINKTYPE_IPV4) is not an
 * error here: it yields a program that returns 0.
 *
 * Ignored: tcpdump options that change compilation (-O, -s, -y); the program
 * is always libpcap's optimized one with a 262144-byte snap length (the
 * return value only needs to be non-zero).
 */

import { spawn, spawnSync } from 'node:child_process';
import { BpfError, BpfProgram } from './bpf';

export interface BpfCompileOptions {
  /** tcpdump executable. Default: `tcpdump` from PATH, then /usr/sbin/tcpdump, /usr/bin/tcpdump. */
  tcpdump?: string;
  /** Milliseconds before tcpdump is given up on (default 10,000). */
  timeoutMs?: number;
}

export interface CompileTarget {
  /** LINKTYPE_* value of the frames the program will see. */
  linkType: number;
  /** Compile as for a big-endian capture file (only matters for LINKTYPE_NULL). Default false. */
  bigEndian?: boolean;
}

export interface CompiledBpf {
  program: BpfProgram;
  /** libpcap's name for the link type ("EN10MB", "LINUX_SLL" ...), or the number. */
  linkTypeName: string;
  /** The expression can never match on this link type; the program returns 0. */
  rejectsAll: boolean;
}

/** LINKTYPE values libpcap's file reader does not know, mapped to one it treats the same. */
const LINKTYPE_ALIASES: ReadonlyMap<number, number> = new Map([
  [14, 101], // OpenBSD's DLT_RAW → LINKTYPE_RAW
]);

const SNAPLEN = 262144;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 64 * 1024 * 1024;
const FALLBACK_PATHS = ['tcpdump', '/usr/sbin/tcpdump', '/usr/bin/tcpdump'];

/** The tcpdump that worked last, tried first next time. */
let resolvedTcpdump: string | undefined;

/** A classic pcap file header (no packets) for the given link type. */
export function pcapHeaderFor(linkType: number, bigEndian = false): Buffer {
  const h = Buffer.alloc(24);
  const lt = LINKTYPE_ALIASES.get(linkType) ?? linkType;
  if (bigEndian) {
    h.writeUInt32BE(0xa1b2c3d4, 0);
    h.writeUInt16BE(2, 4);
    h.writeUInt16BE(4, 6);
    h.writeUInt32BE(SNAPLEN, 16);
    h.writeUInt32BE(lt >>> 0, 20);
  } else {
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(lt >>> 0, 20);
  }
  return h;
}

interface RunResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Spawn failure (ENOENT, EACCES, ETIMEDOUT ...). */
  error: NodeJS.ErrnoException | undefined;
}

function candidates(options: BpfCompileOptions): string[] {
  if (options.tcpdump !== undefined) return [options.tcpdump];
  return resolvedTcpdump !== undefined ? [resolvedTcpdump, ...FALLBACK_PATHS.filter((p) => p !== resolvedTcpdump)] : FALLBACK_PATHS;
}

function argsFor(expression: string): string[] {
  return ['-r', '-', '-ddd', '--', expression];
}

function notFound(tried: string[]): BpfError {
  return new BpfError(
    'tcpdump',
    `BPF filtering (-f) compiles the expression with tcpdump, which was not found (tried ${tried.join(', ')}): install tcpdump (e.g. apt-get install tcpdump)`,
  );
}

function quote(expression: string): string {
  return `'${expression}'`;
}

/** Turns tcpdump's exit status and output into a program or a BpfError. */
function interpret(r: RunResult, exe: string, expression: string, target: CompileTarget): CompiledBpf {
  const { linkType } = target;
  const name = /link-type ([^\s,]+)/.exec(r.stderr)?.[1] ?? String(linkType);
  if (r.error !== undefined) {
    const why = r.error.code === 'ETIMEDOUT' ? 'timed out' : r.error.message;
    throw new BpfError('tcpdump', `could not compile BPF filter ${quote(expression)}: ${exe} ${why}`, expression, linkType);
  }
  const messages = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('reading from file') && !l.startsWith('Warning:'))
    .map((l) => l.replace(/^tcpdump: /, ''));
  if (r.status === 0) {
    try {
      return { program: BpfProgram.fromDecimal(r.stdout), linkTypeName: name, rejectsAll: false };
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw new BpfError('tcpdump', `could not compile BPF filter ${quote(expression)}: unexpected output from ${exe}: ${detail}`, expression, linkType);
    }
  }
  if (r.status === null) {
    throw new BpfError('tcpdump', `could not compile BPF filter ${quote(expression)}: ${exe} was killed by ${r.signal ?? 'a signal'}`, expression, linkType);
  }
  if (messages.some((m) => m === 'expression rejects all packets')) {
    return { program: BpfProgram.load([{ code: 0x06, jt: 0, jf: 0, k: 0 }]), linkTypeName: name, rejectsAll: true };
  }
  const detail = messages.map((m) => m.replace(/^can't parse filter expression: /, '')).join('; ') || `${exe} exited with status ${r.status}`;
  const where = linkType === 1 ? '' : ` for link type ${name === String(linkType) ? name : `${name} (${linkType})`}`;
  throw new BpfError('expression', `invalid BPF filter ${quote(expression)}${where}: ${detail}`, expression, linkType);
}

/**
 * Compiles synchronously (blocks for tcpdump's run, typically 5-20 ms).
 * Throws a BpfError: reason 'expression' when tcpdump rejects the expression
 * (the message is tcpdump's), 'tcpdump' when it cannot be run.
 */
export function compileBpfSync(expression: string, target: CompileTarget, options: BpfCompileOptions = {}): CompiledBpf {
  const input = pcapHeaderFor(target.linkType, target.bigEndian === true);
  const tried: string[] = [];
  for (const exe of candidates(options)) {
    tried.push(exe);
    const r = spawnSync(exe, argsFor(expression), {
      input,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
      windowsHide: true,
    });
    if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (options.tcpdump === undefined && r.error === undefined) resolvedTcpdump = exe;
    return interpret(
      { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error as NodeJS.ErrnoException | undefined },
      exe,
      expression,
      target,
    );
  }
  throw notFound(tried);
}

function runAsync(exe: string, expression: string, input: Buffer, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(exe, argsFor(expression), { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      spawnError = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
      child.kill('SIGKILL');
    }, timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        spawnError = Object.assign(new Error('produced too much output'), { code: 'ENOBUFS' });
        child.kill('SIGKILL');
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => undefined);
    let done = false;
    const finish = (status: number | null, signal: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({
        status: spawnError !== undefined ? null : status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        error: spawnError,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
    child.stdin.end(input);
  });
}

/** Like compileBpfSync without blocking the event loop. */
export async function compileBpf(expression: string, target: CompileTarget, options: BpfCompileOptions = {}): Promise<CompiledBpf> {
  const input = pcapHeaderFor(target.linkType, target.bigEndian === true);
  const tried: string[] = [];
  for (const exe of candidates(options)) {
    tried.push(exe);
    const r = await runAsync(exe, expression, input, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (r.error !== undefined && r.error.code === 'ENOENT') continue;
    if (options.tcpdump === undefined && r.error === undefined) resolvedTcpdump = exe;
    return interpret(r, exe, expression, target);
  }
  throw notFound(tried);
}
