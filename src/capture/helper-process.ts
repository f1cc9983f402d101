/**
 * One run of the capture helper (tcpdump) for one interface: spawns it in a
 * process group of its own (a Ctrl-C on the terminal reaches flowtap only,
 * which then stops the helpers itself, in order), watches its standard error
 * (tcpdump.ts), and says when it is capturing (ready()), what its counters
 * are, and how it ended (exited).
 */

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { helperFailure, helperNotFound, LiveCaptureError, permissionHint } from './live-errors';
import { TcpdumpStderr, type StderrEvent, type TcpdumpCounters } from './tcpdump';

export interface HelperExit {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall-clock time the exit was seen. */
  atMs: number;
}

export class HelperProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** The pcap stream. */
  readonly stdout: Readable;
  /** Resolves when the process has exited and its standard error is read to the end. */
  readonly exited: Promise<HelperExit>;
  /** Wall-clock time tcpdump said it was listening (0 before). */
  listeningAtMs = 0;
  exit: HelperExit | null = null;
  private readonly stderr: TcpdumpStderr;
  private readonly readyP: Promise<void>;
  private spawnError: NodeJS.ErrnoException | null = null;
  private statsWaiters: Array<() => void> = [];

  constructor(
    readonly exe: string,
    readonly args: readonly string[],
    readonly iface: string,
    private readonly available: () => readonly string[],
  ) {
    let onListening: () => void = () => undefined;
    const listening = new Promise<void>((resolve) => {
      onListening = resolve;
    });
    this.stderr = new TcpdumpStderr((e: StderrEvent) => {
      if (e.kind === 'listening') {
        this.listeningAtMs = Date.now();
        onListening();
      } else if (e.kind === 'stats') {
        const w = this.statsWaiters;
        this.statsWaiters = [];
        for (const f of w) f();
      }
    });
    this.child = spawn(exe, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true });
    this.stdout = this.child.stdout;
    this.child.stderr.on('data', (d: Buffer) => this.stderr.push(d));
    let failedToSpawn: () => void = () => undefined;
    const stderrEnded = new Promise<void>((resolve) => {
      this.child.stderr.on('close', resolve);
      this.child.stderr.on('error', () => resolve());
      failedToSpawn = resolve;
    });
    const closed = new Promise<HelperExit>((resolve) => {
      this.child.on('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal, atMs: Date.now() }));
      this.child.on('error', (e: NodeJS.ErrnoException) => {
        this.spawnError = e;
        if (this.child.pid === undefined) {
          failedToSpawn();
          resolve({ code: null, signal: null, atMs: Date.now() });
        }
      });
    });
    this.exited = Promise.all([closed, stderrEnded]).then(([x]) => {
      this.stderr.finish();
      this.exit = x;
      const w = this.statsWaiters;
      this.statsWaiters = [];
      for (const f of w) f();
      return x;
    });
    this.readyP = new Promise<void>((resolve, reject) => {
      listening.then(resolve, reject);
      this.exited.then(() => reject(this.startFailure()), reject);
    });
    this.readyP.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The helper's counters so far (its final ones once it has exited). */
  get counters(): TcpdumpCounters {
    return this.stderr.counters;
  }

  /** The last lines of standard error that were not counters or "listening". */
  get messages(): readonly string[] {
    return this.stderr.messages;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /**
   * Resolves once the helper is capturing; rejects with a LiveCaptureError
   * when it exits first, or when it is not capturing after timeoutMs (it is
   * then killed).
   */
  ready(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill('SIGKILL');
        reject(new LiveCaptureError('E_CAPTURE_FAILED', this.iface, `cannot capture on ${this.iface}: ${this.exe} did not start capturing within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.readyP.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** Asks for the counters (SIGUSR1); resolves when they arrive, the helper exits, or after timeoutMs. */
  requestStats(timeoutMs: number): Promise<void> {
    if (!this.running || this.listeningAtMs === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.statsWaiters = self.statsWaiters.filter((f) => f !== done);
        resolve();
      }
      this.statsWaiters.push(done);
      this.kill('SIGUSR1');
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private startFailure(): LiveCaptureError {
    const e = this.spawnError;
    if (e !== null) {
      if (e.code === 'ENOENT') return helperNotFound([this.exe]);
      if (e.code === 'EACCES') {
        return new LiveCaptureError('E_CAPTURE_PERMISSION', this.iface, `cannot run ${this.exe} (permission denied): ${permissionHint(this.exe)}`);
      }
      return new LiveCaptureError('E_CAPTURE_FAILED', this.iface, `cannot capture on ${this.iface}: cannot run ${this.exe}: ${e.message}`);
    }
    const lines = [...this.messages];
    if (lines.length === 0 && this.exit !== null) {
      lines.push(this.exit.signal !== null ? `killed by ${this.exit.signal}` : `exited with status ${this.exit.code}`);
    }
    return helperFailure(this.iface, this.exe, lines, this.available);
  }
}

/** "exited (code 1: <last message>)", "was killed by SIGKILL". */
export function describeExit(exit: HelperExit, messages: readonly string[]): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  const last = messages.length > 0 ? messages[messages.length - 1].replace(/^tcpdump: /, '') : '';
  return `exited (code ${exit.code ?? '?'}${last !== '' ? `: ${last}` : ''})`;
}
