/**
 * Runs nfdump's collector nfcapd (Debian's nfdump 1.7.1) for the exporter
 * tests: on a free UDP port of 127.0.0.1, writing to a temporary directory,
 * with -E so it prints every record it stores (line-buffered through
 * stdbuf), which tells the test when everything sent has arrived, and with a
 * large receive buffer. stop()
 * sends SIGTERM: nfcapd then closes its file, which `nfdump -R <dir>` reads.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * nfcapd's socket receive buffer (-B). Printing every record (-E) slows it
 * down, and the exporter sends as fast as the kernel takes datagrams: with
 * the default buffer (~200 kB) a burst of 1000 records overflows it and UDP
 * drops datagrams. The kernel caps this at net.core.rmem_max.
 */
const RECEIVE_BUFFER = 8 << 20;

/** Why the nfdump tests cannot run here, or null when they can. */
export function nfdumpMissing(): string | null {
  for (const [cmd, arg] of [['nfcapd', '-V'], ['nfdump', '-V'], ['stdbuf', '--version']] as const) {
    const r = spawnSync(cmd, [arg], { encoding: 'utf8' });
    if (r.error) return `${cmd} is not installed (apt-get install nfdump coreutils)`;
  }
  return null;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class Nfcapd {
  readonly port: number;
  readonly dir: string;
  private readonly child: ChildProcess;
  private out = '';
  private err = '';
  private exited: Promise<void>;
  private hasExited = false;
  private waiters: (() => void)[] = [];

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
    this.child = spawn('stdbuf', ['-oL', '-eL', 'nfcapd', '-E', '-B', String(RECEIVE_BUFFER), '-w', dir, '-b', '127.0.0.1', '-p', String(port), '-t', '3600'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.wake();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.err += d.toString();
      this.wake();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', () => {
        this.hasExited = true;
        this.wake();
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.hasExited) throw new Error(`nfcapd exited while waiting for ${what}: ${this.log()}`);
      if (Date.now() > deadline) throw new Error(`nfcapd: no ${what} after ${timeoutMs} ms: ${this.log()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Starts nfcapd (on `port`, or a free one) and waits until it listens. */
  static async start(port?: number): Promise<Nfcapd> {
    let last: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'flowtap-nfcapd-'));
      const n = new Nfcapd(port ?? (await freeUdpPort()), dir);
      try {
        await n.until('startup', () => /Startup nfcapd/.test(n.out + n.err), 20_000);
        return n;
      } catch (e) {
        last = e;
        await n.stop();
        n.remove();
      }
    }
    throw last;
  }

  /** Records nfcapd has stored so far. */
  get records(): number {
    return (this.out.match(/^Flow Record:/gm) ?? []).length;
  }

  /** The records nfcapd has stored so far, as it printed them (-E: "key = value" blocks). */
  get blocks(): Record<string, string>[] {
    // The last block may still be arriving: count it once its "src vlan" line (after the
    // addresses, ports and counters) is there.
    return parseRawBlocks(this.out).filter((b) => b['src vlan'] !== undefined);
  }

  /** Waits until nfcapd has stored at least n records (generous timeout: the machine is shared). */
  waitRecords(n: number, timeoutMs = 30_000): Promise<void> {
    return this.until(`${n} records (has ${this.records})`, () => this.records >= n, timeoutMs);
  }

  /** nfcapd's own statistics line (flows, sequence errors, bad packets), available after stop(). */
  get summary(): string {
    return (this.out + this.err).split('\n').find((l) => l.startsWith('Ident:')) ?? '';
  }

  log(): string {
    return (this.err + this.out).slice(-2000);
  }

  /** SIGTERM: nfcapd closes its file and exits. */
  async stop(): Promise<void> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(t);
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type NfdumpFlow = Record<string, string | number>;

/** The flows nfcapd stored, as `nfdump -R <dir> -o json` prints them (times in UTC). */
export function readFlows(dir: string): NfdumpFlow[] {
  const r = spawnSync('nfdump', ['-R', dir, '-o', 'json'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`nfdump -R ${dir} -o json exited ${String(r.status)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as NfdumpFlow[];
}

/** The same flows as `nfdump -o raw` blocks ("key = value" lines), for the elements json leaves out. */
export function readRawFlows(dir: string): Record<string, string>[] {
  const r = spawnSync('nfdump', ['-R', dir, '-o', 'raw'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`nfdump -R ${dir} -o raw exited ${String(r.status)}: ${r.stderr}`);
  return parseRawBlocks(r.stdout);
}

/** nfdump's raw record format: "Flow Record:" blocks of "  key = value" lines. */
export function parseRawBlocks(textOut: string): Record<string, string>[] {
  return textOut
    .split(/^Flow Record:/m)
    .slice(1)
    .map((block) => {
      const rec: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^\s+(\S.*?)\s+=\s+(.*)$/.exec(line);
        if (m) rec[m[1]] = m[2].trim();
      }
      return rec;
    });
}
