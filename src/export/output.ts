/**
 * A buffered text output for record lines: standard output or a file (-w).
 * Lines are gathered into ~256 KiB chunks before each write. Writes are
 * synchronous (files, and pipes and terminals on Linux, are written
 * synchronously by Node), so output never piles up in memory. A closed pipe
 * (EPIPE, e.g. `| head`) stops output quietly; other write errors surface as
 * FlowtapError E_OUTPUT from close().
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FlowtapError } from '../util/errors';

const CHUNK = 256 * 1024;

export class LineOutput {
  readonly target: string;
  private fd: number;
  private readonly ownsFd: boolean;
  private pending: string[] = [];
  private pendingLen = 0;
  private error: FlowtapError | undefined;
  /** True once the reader of standard output went away. */
  closedByPeer = false;

  /** path undefined or "-" → standard output. */
  constructor(path?: string) {
    if (path === undefined || path === '-') {
      this.target = 'stdout';
      this.fd = 1;
      this.ownsFd = false;
    } else {
      this.target = path;
      try {
        this.fd = openSync(path, 'w');
      } catch (err) {
        throw new FlowtapError('E_OUTPUT', `cannot open output file ${path}: ${(err as Error).message}`);
      }
      this.ownsFd = true;
    }
  }

  line(s: string): void {
    if (this.closedByPeer || this.error) return;
    this.pending.push(s);
    this.pendingLen += s.length + 1;
    if (this.pendingLen >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0 || this.closedByPeer || this.error) return;
    const data = Buffer.from(this.pending.join('\n') + '\n', 'utf8');
    this.pending = [];
    this.pendingLen = 0;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          waitWritable();
          continue;
        }
        if (code === 'EPIPE') {
          this.closedByPeer = true;
          return;
        }
        this.error = new FlowtapError('E_OUTPUT', `cannot write to ${this.target}: ${(err as Error).message}`);
        return;
      }
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.ownsFd && this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    if (this.error) throw this.error;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Standard output may be a non-blocking pipe: wait briefly for the reader instead of spinning. */
function waitWritable(): void {
  Atomics.wait(sleeper, 0, 0, 1);
}
