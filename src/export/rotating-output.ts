/**
 * A record file (-w) that starts a new file by size and/or by time
 * (--rotate-size, --rotate-interval) and keeps the newest --rotate-keep
 * rotated files. The file being written always has the -w name; a finished
 * file is renamed to `<name>.<start>` where <start> is the UTC time of its
 * first line as YYYYMMDDTHHMMSSZ (the start of its period when rotating by
 * time), with "-2", "-3" ... added if that name is taken. Names sort in time
 * order, and a reader can follow the -w name.
 *
 * Rotation happens between lines only. By size: once a file holds at least
 * maxBytes (so a file ends on the line that reached the limit). By time:
 * when a line's clock falls in a later period (multiples of intervalMs since
 * the Unix epoch, UTC) than the file's first line. The clock is the record's
 * end time (last_switched_ms) when reading capture files, so a capture's
 * records are split by capture time however fast it is read, and the wall
 * clock for live input; the clock never goes back (an out-of-order record
 * stays in the current file).
 *
 * An existing non-empty file with the -w name is rotated away (named from its
 * modification time) before the run (prepareRotatingFile), so restarting
 * never overwrites.
 * Writes are synchronous, like LineOutput's.
 */
import { closeSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LineOutput } from './output';
import { FlowtapError } from '../util/errors';

export interface RotateOptions {
  /** Start a new file once the current one holds this many bytes (0: no size limit). */
  maxBytes: number;
  /** Start a new file at each multiple of this many milliseconds on the clock (0: no time limit). */
  intervalMs: number;
  /** 'record': the record's end time (capture files); 'wall': the system clock (live capture). */
  clock: 'record' | 'wall';
  /** Rotated files kept, oldest removed first (0: keep all). */
  keep: number;
}

const STAMP = /^(\d{8}T\d{6}Z)(?:-(\d+))?$/;

/** UTC time as YYYYMMDDTHHMMSSZ. */
export function stamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class RotatingOutput extends LineOutput {
  /** Bytes written to the current file (beyond the buffered ones). */
  private written = 0;
  /** Period (clock / intervalMs) of the current file; -1 before its first line. */
  private period = -1;
  /** Clock of the current file's first line; -1 while it is empty. */
  private startMs = -1;
  private clockMs = -Infinity;
  private failed: FlowtapError | undefined;

  /** Opens `path` (created or truncated: see prepareRotatingFile()); throws FlowtapError E_OUTPUT naming it. */
  constructor(readonly path: string, private readonly opts: RotateOptions, private readonly now: () => number = Date.now) {
    super(undefined, { fd: -1, target: path });
    this.fd = openOutput(path);
  }

  /**
   * Called before each line with the record's end time (used when the clock
   * is 'record'): starts a new file when the line belongs to a later period.
   */
  at(recordMs: number): void {
    const c = this.opts.clock === 'wall' ? this.now() : recordMs;
    if (c > this.clockMs) this.clockMs = c;
    if (this.startMs < 0) this.startMs = this.clockMs;
    if (this.opts.intervalMs <= 0) return;
    const p = Math.floor(this.clockMs / this.opts.intervalMs);
    if (this.period < 0) this.period = p;
    else if (p > this.period) {
      if (this.written + this.pos > 0) this.rotate();
      this.period = p;
      this.startMs = this.clockMs;
    }
  }

  override endOfLine(): void {
    if (this.opts.maxBytes > 0 && this.written + this.pos >= this.opts.maxBytes) {
      this.rotate();
      return;
    }
    super.endOfLine();
  }

  override flush(): void {
    const n = this.pos;
    if (this.failed !== undefined) {
      this.pos = 0;
      return;
    }
    super.flush();
    if (this.failure() === undefined) this.written += n;
  }

  override async close(): Promise<void> {
    this.flush();
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    const err = this.failure();
    if (err) throw err;
  }

  /** Finishes the current file (renamed with its start time) and opens a new one under the -w name. */
  private rotate(): void {
    this.flush();
    if (this.failure() !== undefined || this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    const start = this.opts.intervalMs > 0 && this.period >= 0 ? this.period * this.opts.intervalMs : this.startMs >= 0 ? this.startMs : this.now();
    try {
      renameSync(this.path, freeName(this.path, stamp(start)));
      this.fd = openOutput(this.path);
    } catch (err) {
      this.fail(err instanceof FlowtapError ? err : new FlowtapError('E_OUTPUT', `cannot rotate ${this.path}: ${(err as Error).message}`));
      return;
    }
    this.written = 0;
    this.startMs = -1;
    prune(this.path, this.opts.keep);
  }

  /** Output stops (as after a write error); close() reports err. */
  private fail(err: FlowtapError): void {
    this.failed = err;
  }

  override failure(): FlowtapError | undefined {
    return this.failed ?? super.failure();
  }
}

/**
 * Before a RotatingOutput: renames an existing non-empty file `path` (so a
 * restart never overwrites records), and checks that `path` can be created.
 * Throws FlowtapError E_OUTPUT naming the file.
 */
export function prepareRotatingFile(path: string, keep: number): void {
  rotateAwayExisting(path, keep);
  closeSync(openOutput(path));
}

function openOutput(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    throw new FlowtapError('E_OUTPUT', `cannot open output file ${path}: ${(err as Error).message}`);
  }
}

/** Renames an existing non-empty `path` to its rotated name (from its modification time). */
function rotateAwayExisting(path: string, keep: number): void {
  let size: number;
  let mtimeMs: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return;
    size = st.size;
    mtimeMs = st.mtimeMs;
  } catch {
    return;
  }
  if (size === 0) return;
  try {
    renameSync(path, freeName(path, stamp(mtimeMs)));
  } catch (err) {
    throw new FlowtapError('E_OUTPUT', `cannot rotate the existing ${path}: ${(err as Error).message}`);
  }
  prune(path, keep);
}

/** `<path>.<stamp>`, or with -2, -3 ... when taken. */
function freeName(path: string, s: string): string {
  let name = `${path}.${s}`;
  for (let n = 2; exists(name); n++) name = `${path}.${s}-${n}`;
  return name;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The rotated files of `path`, oldest first. */
export function rotatedFiles(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const found: { name: string; s: string; n: number }[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const m = STAMP.exec(name.slice(prefix.length));
    if (m) found.push({ name, s: m[1], n: m[2] === undefined ? 1 : Number(m[2]) });
  }
  found.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.n - b.n));
  return found.map((f) => join(dir, f.name));
}

/** Removes the oldest rotated files beyond `keep` (0: keeps all). A file that cannot be removed is left. */
function prune(path: string, keep: number): void {
  if (keep <= 0) return;
  let files: string[];
  try {
    files = rotatedFiles(path);
  } catch {
    return;
  }
  for (const f of files.slice(0, Math.max(0, files.length - keep))) {
    try {
      unlinkSync(f);
    } catch {
      // Someone else's file, or already gone: rotation goes on.
    }
  }
}
