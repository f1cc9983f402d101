/**
 * A buffered byte output for record lines: standard output or a file (-w).
 * Writers put bytes straight into `buf` at `pos` (after ensure()), or whole
 * lines with line(); the buffer goes out in ~256 KiB writes. Writes are
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
  /** Pending bytes are buf[0, pos). */
  buf: Buffer = Buffer.allocUnsafe(CHUNK + 64 * 1024);
  pos = 0;
  /** The file descriptor written to (1 for standard output). */
  fd: number;
  private readonly ownsFd: boolean;
  private error: FlowtapError | undefined;
  /** True once the reader of standard output went away. */
  closedByPeer = false;

  /** An output on a descriptor opened elsewhere (not closed by close()), e.g. in an output thread. */
  static fromFd(fd: number, target: string): LineOutput {
    return new LineOutput(undefined, { fd, target });
  }

  /** path undefined or "-" → standard output. */
  constructor(path?: string, existing?: { fd: number; target: string }) {
    if (existing !== undefined) {
      this.target = existing.target;
      this.fd = existing.fd;
      this.ownsFd = false;
    } else if (path === undefined || path === '-') {
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

  /** Makes room for n more bytes at pos (writing out what is pending if needed). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }

  /** A line (newline included) was written into buf: writes the buffer out once a chunk is full. */
  endOfLine(): void {
    if (this.pos >= CHUNK) this.flush();
  }

  line(s: string): void {
    this.ensure(s.length * 3 + 1);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 10;
    this.endOfLine();
  }

  flush(): void {
    const n = this.pos;
    this.pos = 0;
    if (n === 0 || this.closedByPeer || this.error) return;
    let off = 0;
    while (off < n) {
      try {
        off += writeSync(this.fd, this.buf, off, n - off);
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

  /** The write error that stopped output, if any. */
  failure(): FlowtapError | undefined {
    return this.error;
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
