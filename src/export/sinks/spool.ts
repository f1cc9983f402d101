/**
 * The on-disk spool of one sink: flow records its destination has not taken
 * yet, kept across collector outages and restarts of flowtap.
 *
 * Layout of the spool directory (one per sink):
 *   seg-<16-digit sequence>.jsonl  append-only segments, one record per line
 *                                  (JSON Lines, the objects `--format jsonl`
 *                                  prints); the sequence orders them, oldest first
 *   cursor                         "<sequence> <byte offset>\n": how much of that
 *                                  segment was already delivered (written by
 *                                  rename, so it is either old or new, never torn)
 * A segment is deleted only after every record in it was delivered, and the
 * cursor advances only after a batch was delivered (written at most once a
 * second, and at close), so a crash repeats at most the batches of the last
 * second and never loses one. After a crash the last line of a segment can
 * be torn, and foreign files can sit under a segment's name: lines that do not
 * parse as a flow record are skipped with a warning, never fatal. Segments of
 * an earlier run are read but never appended to (a new run starts a new one).
 *
 * Writes go through a small buffer (flushed at 256 KiB, after a second, before
 * reading it back, and at close) with synchronous writes at explicit offsets,
 * so a failed write (ENOSPC) is cut back to the last whole line; after a
 * failure to open or write, appends are refused for 5 s rather than failing
 * one by one. A segment is fsynced when it is full (in the background) and at
 * close(). Reading is synchronous and bounded by one batch. What is still in
 * the buffer (at most a second's worth) is lost if the process dies, as
 * records in memory are.
 *
 * This module knows bytes and lines; counters, messages and ordering against
 * memory belong to the delivery layer (delivery.ts).
 */
import {
  closeSync,
  fstatSync,
  fsync,
  fsyncSync,
  close as fsClose,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { join } from 'node:path';
import type { FlowRecord } from '../../flow/record';
import { UsageError } from '../../util/errors';

export interface SpoolOptions {
  /** Most bytes the segments may hold together. */
  maxBytes: number;
  /** A segment is closed and a new one started once it reaches this size (default 8 MiB). */
  segmentBytes?: number;
  /** Lines longer than this are skipped as unreadable (default 16 MiB). */
  maxLineBytes?: number;
  /** Clock of the arrival times kept for lag (default Date.now). */
  now?: () => number;
  /** Problems worth telling (torn lines, a cursor that does not fit, failed deletes). */
  warn: (message: string) => void;
  /** Lines that were counted as spooled but could not be written (write error); err says why. */
  onWriteError?: (lines: number, err: Error) => void;
}

const SEGMENT_RE = /^seg-(\d{16})\.jsonl$/;
const CURSOR = 'cursor';
const FLUSH_BYTES = 256 * 1024;
const FLUSH_AFTER_MS = 1000;
const READ_CHUNK = 256 * 1024;
const BROKEN_PAUSE_MS = 5000;
const CURSOR_EVERY_MS = 1000;

interface Segment {
  seq: number;
  path: string;
  /** Bytes of the segment including what is still in the write buffer. */
  size: number;
  /** Bytes on disk (size minus the buffer, for the segment being written). */
  fileSize: number;
  /** First byte not yet read into a batch. */
  readOff: number;
  /** Closed (not being written) and read to its end. */
  readDone: boolean;
  /** Read descriptor, opened on first read. */
  rfd: number | null;
  /** Pairs (byte offset, arrival time of the record starting there), ascending. */
  checkpoints: number[];
}

/** Names the end of a batch read from the spool; hand it back to ack() once the batch was delivered. */
export interface SpoolToken {
  readonly seq: number;
  readonly offset: number;
}

interface Token extends SpoolToken {
  readonly seg: Segment;
}

export interface SpoolRead {
  records: FlowRecord[];
  /** Unreadable lines passed over (torn, foreign, too long). */
  skipped: number;
  /** Arrival time (opts.now clock) of the first record, as near as the spool knows it. */
  arrival: number;
  token: SpoolToken;
}

/** Whether a parsed line looks like a flow record (and not foreign JSON). */
function isRecord(v: unknown): v is FlowRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.protocol === 'string' && typeof o.src_addr === 'string' && typeof o.flow_id === 'number';
}

export function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(16, '0')}.jsonl`;
}

/**
 * Non-empty lines in a byte range of a file, counted the way read() consumes
 * them (a final line without newline counts as one).
 */
async function countLines(path: string, from: number): Promise<number> {
  const fh = await openAsync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = from;
    let inLine = false;
    let count = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      let p = 0;
      for (;;) {
        const nl = buf.indexOf(10, p);
        if (nl < 0 || nl >= bytesRead) {
          if (p < bytesRead) inLine = true;
          break;
        }
        if (nl > p || inLine) count++;
        inLine = false;
        p = nl + 1;
      }
    }
    if (inLine) count++;
    return count;
  } finally {
    await fh.close();
  }
}

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly maxLine: number;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;
  private readonly onWriteError: (lines: number, err: Error) => void;

  private segments: Segment[] = [];
  private opened = false;
  private nextSeq = 1;
  /** Segment whose cursor is on disk (-1: none). */
  private cursorSeq = -1;
  private cursorWarned = false;
  /** A cursor position not written yet (writes are at most once a second: replacing a file costs ms on ext4). */
  private cursorDue: { seq: number; offset: number } | null = null;
  private cursorWrittenAt = -Infinity;
  private cursorTimer: NodeJS.Timeout | null = null;

  private active: Segment | null = null;
  private wfd = -1;
  private buf: string[] = [];
  private bufBytes = 0;
  /** Lines in the buffer that count as unread (not in-flight copies). */
  private bufUnread = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** After a failure to open or write, appends are refused until then (opts.now clock) instead of failing one by one. */
  private brokenUntil = -Infinity;

  /** Bytes the segments take (including the write buffer). */
  bytes = 0;
  /** Lines on disk (or buffered) not yet read into a batch; for adopted segments, counted by countLeftovers(). */
  unread = 0;

  constructor(dir: string, opts: SpoolOptions) {
    this.dir = dir;
    this.maxBytes = opts.maxBytes;
    this.segmentBytes = opts.segmentBytes ?? 8 * 1024 * 1024;
    this.maxLine = opts.maxLineBytes ?? 16 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    this.warn = opts.warn;
    this.onWriteError = opts.onWriteError ?? (() => undefined);
  }

  /**
   * Creates the directory if needed and adopts the segments an earlier run
   * left (after the cursor). Throws UsageError (E_CONFIG) when the directory
   * cannot be used.
   */
  open(): void {
    if (this.opened) return;
    let names: string[];
    try {
      // Flow records are private network metadata: only the owner reads them.
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      names = readdirSync(this.dir);
    } catch (err) {
      throw new UsageError(`spool directory ${this.dir} cannot be used: ${(err as Error).message}; choose another spool directory`, 'E_CONFIG');
    }
    const cursor = this.readCursor(names.includes(CURSOR));
    let maxSeq = cursor?.seq ?? 0;
    const found: Segment[] = [];
    for (const name of names) {
      const m = SEGMENT_RE.exec(name);
      if (m === null) continue;
      const seq = Number(m[1]);
      if (!Number.isSafeInteger(seq)) continue;
      maxSeq = Math.max(maxSeq, seq);
      const path = join(this.dir, name);
      let size: number;
      let born: number;
      try {
        const st = statSync(path);
        if (!st.isFile()) continue;
        size = st.size;
        born = st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
      } catch (err) {
        this.warn(`spool ${path}: cannot be read (${(err as Error).message}); left in place`);
        continue;
      }
      found.push({ seq, path, size, fileSize: size, readOff: 0, readDone: false, rfd: null, checkpoints: [0, this.now() - Math.max(0, Date.now() - born)] });
    }
    found.sort((a, b) => a.seq - b.seq);
    if (cursor !== null) {
      const seg = found.find((s) => s.seq === cursor.seq);
      if (seg !== undefined) {
        if (this.cursorFits(seg, cursor.offset)) seg.readOff = cursor.offset;
        else this.warn(`spool ${join(this.dir, CURSOR)}: offset ${cursor.offset} does not fit ${seg.path}; sending that segment from its start (some records may arrive twice)`);
        this.cursorSeq = cursor.seq;
      }
    }
    for (const s of found) this.bytes += s.size;
    this.segments = found;
    this.nextSeq = maxSeq + 1;
    this.opened = true;
  }

  /** Counts the lines the adopted segments still hold (adds them to unread) and returns that count. */
  async countLeftovers(): Promise<number> {
    let total = 0;
    for (const seg of this.segments.slice()) {
      if (seg === this.active) continue;
      try {
        const n = await countLines(seg.path, seg.readOff);
        total += n;
      } catch (err) {
        this.warn(`spool ${seg.path}: cannot be read (${(err as Error).message}); left in place, not sent`);
        this.forget(seg);
      }
    }
    this.unread += total;
    return total;
  }

  /** Whether a record would fit under the size limit. */
  fits(bytes: number): boolean {
    return this.bytes + bytes <= this.maxBytes;
  }

  /** True when lines remain that were not read into a batch yet. */
  hasUnread(): boolean {
    for (const s of this.segments) if (!s.readDone && s.readOff < s.size) return true;
    return false;
  }

  /** Arrival time of the next line read() would return, or null. */
  unreadArrival(): number | null {
    for (const s of this.segments) if (!s.readDone && s.readOff < s.size) return arrivalAt(s, s.readOff);
    return null;
  }

  /**
   * Appends one line (a JSON record with its newline) that arrived at
   * `arrival`. 'full' when it would pass the size limit; 'error' when the
   * spool cannot be written (opened lazily; the reason went to warn/onWriteError).
   */
  append(line: string, arrival: number): 'ok' | 'full' | 'error' {
    const n = Buffer.byteLength(line);
    if (!this.fits(n)) return 'full';
    if (!this.ensureActive()) return 'error';
    this.put(line, n, arrival, true);
    return 'ok';
  }

  /**
   * Writes a batch that is being sent from memory (its lines go to disk
   * before any later record) and marks it as read, so ack(token) removes it
   * after delivery. Only valid while nothing is unread. Returns null (and
   * writes nothing) when the batch does not fit or cannot be written.
   */
  appendInFlight(records: readonly FlowRecord[], arrival: number): SpoolToken | null {
    const lines: string[] = [];
    for (const r of records) {
      try {
        lines.push(JSON.stringify(r) + '\n');
      } catch {
        // Not JSON (a bug upstream): left out of the copy, so it cannot outlive this run.
      }
    }
    let total = 0;
    for (const l of lines) total += Buffer.byteLength(l);
    if (!this.fits(total) || this.hasUnread()) return null;
    if (!this.ensureActive()) return null;
    const seg = this.active as Segment;
    const start = seg.size;
    const failed = (): null => {
      // Copies that did reach the file must not be read back as records of their own.
      if (this.segments.includes(seg)) {
        if (start === 0) this.remove(seg);
        else seg.readOff = seg.size;
      }
      return null;
    };
    for (const l of lines) {
      if (this.active !== seg) return failed();
      this.put(l, Buffer.byteLength(l), arrival, false);
    }
    const end = seg.size;
    this.flush();
    if (this.active !== seg || seg.fileSize < end) return failed();
    seg.readOff = end;
    const token: Token = { seq: seg.seq, offset: end, seg };
    this.maybeRotate();
    return token;
  }

  private put(line: string, n: number, arrival: number, unread: boolean): void {
    const seg = this.active as Segment;
    if (this.bufBytes === 0 || seg.checkpoints.length === 0) seg.checkpoints.push(seg.size, arrival);
    this.buf.push(line);
    this.bufBytes += n;
    seg.size += n;
    this.bytes += n;
    if (unread) {
      this.bufUnread++;
      this.unread++;
    }
    if (this.bufBytes >= FLUSH_BYTES) this.flush();
    else if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, FLUSH_AFTER_MS);
      this.flushTimer.unref();
    }
    if (unread) this.maybeRotate();
  }

  private maybeRotate(): void {
    const seg = this.active;
    if (seg === null || seg.size < this.segmentBytes) return;
    this.flush();
    if (this.active !== seg) return;
    const fd = this.wfd;
    this.active = null;
    this.wfd = -1;
    fsync(fd, () => fsClose(fd, () => undefined));
  }

  private ensureActive(): boolean {
    if (this.active !== null) return true;
    if (this.now() < this.brokenUntil) return false;
    try {
      this.open();
    } catch (err) {
      this.brokenUntil = this.now() + BROKEN_PAUSE_MS;
      this.onWriteError(0, err as Error);
      return false;
    }
    const seq = this.nextSeq++;
    const path = join(this.dir, segmentName(seq));
    try {
      this.wfd = openSync(path, 'wx', 0o600);
    } catch (err) {
      this.brokenUntil = this.now() + BROKEN_PAUSE_MS;
      this.onWriteError(0, err as Error);
      return false;
    }
    const seg: Segment = { seq, path, size: 0, fileSize: 0, readOff: 0, readDone: false, rfd: null, checkpoints: [] };
    this.segments.push(seg);
    this.active = seg;
    return true;
  }

  /** Writes the buffer to the segment; on failure cuts the file back to its last whole line and closes it. */
  flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const seg = this.active;
    if (seg === null || this.bufBytes === 0) return;
    const data = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    try {
      let done = 0;
      while (done < data.length) done += writeSync(this.wfd, data, done, data.length - done, seg.fileSize + done);
      seg.fileSize += data.length;
      this.bufBytes = this.bufUnread = 0;
    } catch (err) {
      const lost = this.bufUnread;
      try {
        ftruncateSync(this.wfd, seg.fileSize);
      } catch {
        // The torn tail is skipped as an unreadable line when read back.
      }
      seg.size -= this.bufBytes;
      this.bytes -= this.bufBytes;
      this.unread = Math.max(0, this.unread - lost);
      this.bufBytes = this.bufUnread = 0;
      seg.readOff = Math.min(seg.readOff, seg.size);
      const fd = this.wfd;
      this.active = null;
      this.wfd = -1;
      try {
        closeSync(fd);
      } catch {
        // Already unusable.
      }
      if (seg.size === 0) this.remove(seg);
      this.brokenUntil = this.now() + BROKEN_PAUSE_MS;
      this.onWriteError(lost, err as Error);
    }
  }

  /**
   * Reads the next batch of at most `max` records (and any unreadable lines
   * before them). Null when nothing is unread. A batch never spans segments;
   * it can hold no records (only skipped lines, or an empty segment), and is
   * acked like any other.
   */
  read(max: number): SpoolRead | null {
    for (const seg of this.segments) {
      if (seg.readDone) continue;
      if (seg === this.active) {
        if (seg.readOff >= seg.size) return null;
        if (seg.readOff >= seg.fileSize) {
          this.flush();
          // The write failed: the segment was closed (or removed, when empty).
          if (seg !== this.active) return this.read(max);
        }
      }
      return this.readFrom(seg, Math.max(1, max));
    }
    return null;
  }

  private readFrom(seg: Segment, max: number): SpoolRead {
    if (seg.rfd === null) seg.rfd = openSync(seg.path, 'r');
    const fd = seg.rfd;
    const closed = seg !== this.active;
    let limit = closed ? seg.size : seg.fileSize;
    const start = seg.readOff;
    const records: FlowRecord[] = [];
    let skipped = 0;
    let tornAt = -1;
    let off = start;
    let chunk = READ_CHUNK;
    while (records.length < max && off < limit) {
      const want = Math.min(chunk, limit - off);
      const buf = Buffer.allocUnsafe(want);
      const got = readFull(fd, buf, off);
      if (got < want && closed) {
        // The file is shorter than it was: whatever is missing cannot be read.
        limit = off + got;
        this.bytes -= seg.size - limit;
        seg.size = seg.fileSize = limit;
      }
      let p = 0;
      while (records.length < max) {
        const nl = buf.indexOf(10, p);
        if (nl < 0 || nl >= got) break;
        if (nl > p) {
          const rec = parseLine(buf, p, nl);
          if (rec !== null) records.push(rec);
          else skipped++;
        }
        p = nl + 1;
      }
      if (p === 0 && records.length < max) {
        if (off + got >= limit) {
          if (!closed || got === 0) break;
          // A last line without its newline: torn by a crash.
          tornAt = off;
          skipped++;
          p = got;
        } else if (chunk < this.maxLine) {
          chunk = Math.min(chunk * 2, this.maxLine);
          continue;
        } else {
          p = this.skipLongLine(fd, off, limit) - off;
          skipped++;
        }
      }
      off += p;
    }
    seg.readOff = off;
    if (closed && off >= limit) seg.readDone = true;
    this.unread = Math.max(0, this.unread - records.length - skipped);
    if (skipped > 0) {
      const where = tornAt >= 0 && skipped === 1 ? ` (a torn last line at byte ${tornAt}, from a crash or a full disk)` : '';
      this.warn(`spool ${seg.path}: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'}${where}`);
    }
    const token: Token = { seq: seg.seq, offset: off, seg };
    return { records, skipped, arrival: arrivalAt(seg, start), token };
  }

  /** Offset just past the newline ending the over-long line at `off` (or `limit`). */
  private skipLongLine(fd: number, off: number, limit: number): number {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = off;
    while (pos < limit) {
      const got = readFull(fd, buf, pos, Math.min(buf.length, limit - pos));
      if (got === 0) return limit;
      const nl = buf.indexOf(10);
      if (nl >= 0 && nl < got) return pos + nl + 1;
      pos += got;
    }
    return limit;
  }

  /** The batch ending at token was delivered: forget it for good. */
  ack(token: SpoolToken): void {
    const { seg, offset } = token as Token;
    if (!this.segments.includes(seg)) return;
    while (this.segments[0] !== seg && this.segments[0].readDone) this.remove(this.segments[0]);
    if (offset >= seg.size && (seg.readDone || seg === this.active)) {
      this.remove(seg);
      return;
    }
    this.cursorDue = { seq: seg.seq, offset };
    const wait = CURSOR_EVERY_MS - (Date.now() - this.cursorWrittenAt);
    if (wait <= 0) this.writeDueCursor();
    else if (this.cursorTimer === null) {
      this.cursorTimer = setTimeout(() => {
        this.cursorTimer = null;
        this.writeDueCursor();
      }, wait);
      this.cursorTimer.unref();
    }
  }

  private writeDueCursor(): void {
    const due = this.cursorDue;
    this.cursorDue = null;
    if (due === null || !this.segments.some((s) => s.seq === due.seq)) return;
    this.cursorWrittenAt = Date.now();
    this.writeCursor(due.seq, due.offset);
  }

  /** Flushes, fsyncs and closes; records the cursor so the next run starts at the first undelivered record. */
  close(): void {
    if (!this.opened) return;
    if (this.cursorTimer !== null) {
      clearTimeout(this.cursorTimer);
      this.cursorTimer = null;
    }
    this.writeDueCursor();
    this.flush();
    if (this.active !== null) {
      try {
        fsyncSync(this.wfd);
      } catch (err) {
        this.warn(`spool ${this.active.path}: fsync failed (${(err as Error).message})`);
      }
      closeSync(this.wfd);
      this.wfd = -1;
      this.active = null;
    }
    for (const s of this.segments) this.closeRead(s);
    try {
      const fd = openSync(this.dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Directory fsync is not possible everywhere; the data files were synced.
    }
  }

  private remove(seg: Segment): void {
    this.closeRead(seg);
    if (seg === this.active) {
      if (this.flushTimer !== null) {
        clearTimeout(this.flushTimer);
        this.flushTimer = null;
      }
      this.buf = [];
      this.bufBytes = this.bufUnread = 0;
      try {
        closeSync(this.wfd);
      } catch {
        // Nothing left to save.
      }
      this.wfd = -1;
      this.active = null;
    }
    try {
      unlinkSync(seg.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`spool ${seg.path}: cannot delete a delivered segment (${(err as Error).message}); its records may be sent again next run`);
    }
    this.forget(seg);
    if (this.cursorDue?.seq === seg.seq) this.cursorDue = null;
    if (this.cursorSeq === seg.seq) {
      try {
        unlinkSync(join(this.dir, CURSOR));
      } catch {
        // A cursor naming a missing segment is ignored.
      }
      this.cursorSeq = -1;
    }
  }

  private forget(seg: Segment): void {
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
    this.bytes -= seg.size;
    this.closeRead(seg);
  }

  private closeRead(seg: Segment): void {
    if (seg.rfd !== null) {
      try {
        closeSync(seg.rfd);
      } catch {
        // Read side only.
      }
      seg.rfd = null;
    }
  }

  private writeCursor(seq: number, offset: number): void {
    const path = join(this.dir, CURSOR);
    try {
      writeFileSync(path + '.tmp', `${seq} ${offset}\n`);
      renameSync(path + '.tmp', path);
      this.cursorSeq = seq;
    } catch (err) {
      if (!this.cursorWarned) this.warn(`spool ${path}: cannot be written (${(err as Error).message}); after a crash some records may be sent twice`);
      this.cursorWarned = true;
    }
  }

  private readCursor(present: boolean): { seq: number; offset: number } | null {
    if (!present) return null;
    const path = join(this.dir, CURSOR);
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch {
      return null;
    }
    const m = /^(\d{1,16}) (\d{1,16})\n?$/.exec(text);
    if (m === null) {
      this.warn(`spool ${path}: not a cursor; sending every segment from its start (some records may arrive twice)`);
      return null;
    }
    return { seq: Number(m[1]), offset: Number(m[2]) };
  }

  /** A cursor offset is usable when it is inside the file and right after a newline. */
  private cursorFits(seg: Segment, offset: number): boolean {
    if (offset === 0) return true;
    if (offset > seg.size) return false;
    try {
      const fd = openSync(seg.path, 'r');
      try {
        const b = Buffer.alloc(1);
        return readSync(fd, b, 0, 1, offset - 1) === 1 && b[0] === 10 && fstatSync(fd).size >= offset;
      } finally {
        closeSync(fd);
      }
    } catch {
      return false;
    }
  }
}

function readFull(fd: number, buf: Buffer, pos: number, len = buf.length): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function parseLine(buf: Buffer, from: number, to: number): FlowRecord | null {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8', from, to));
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

function arrivalAt(seg: Segment, off: number): number {
  const cp = seg.checkpoints;
  let t = cp.length > 1 ? cp[1] : 0;
  for (let i = 0; i < cp.length && cp[i] <= off; i += 2) t = cp[i + 1];
  return t;
}
