/**
 * The streaming core shared by the pcap and pcapng readers, independent of
 * any file format: a RecordParser walks the complete records of a chunk in
 * place, and a RecordAssembler joins a record that straddles two chunks in a
 * reusable carry buffer (grown only for a larger record). Chunks come from a
 * ChunkInput: sequential fs reads of a file into two reused buffers (the next
 * read runs while the current chunk is parsed), or a stream (standard input,
 * pipes, gunzip output) read through its 'data' events. A CaptureSource ties
 * one input and one parser into a PacketSource. Nothing is allocated per
 * packet; only a straddling record is copied.
 */

import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CaptureError } from '../util/errors';
import type { PacketHandler, PacketSource, SourceStats } from './source';

/** A record-oriented format reader that parses records in place. */
export interface RecordParser {
  /**
   * Size in bytes of the record starting where the last parse() stopped: the
   * whole record once its header has been read, otherwise just the header.
   */
  readonly want: number;
  /**
   * Delivers every complete record in buf[start, end) and returns the offset
   * of the first byte not consumed (the start of an incomplete record, or
   * end). `pos` is the input offset of buf[start], for error messages.
   * Throws CaptureError on corrupt input.
   */
  parse(buf: Buffer, start: number, end: number, pos: number, handler: PacketHandler): number;
}

/** A producer of chunks; each chunk stays valid until the next call to next(). */
export interface ChunkInput {
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

const MIN_CARRY = 64 * 1024;

/** Feeds chunks to a parser, assembling records that straddle chunk boundaries. */
export class RecordAssembler {
  /** Input offset of the next byte to be pushed. */
  pos = 0;
  private carry: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  private carryPos = 0;

  constructor(
    private readonly parser: RecordParser,
    private readonly handler: PacketHandler,
    private readonly file: string,
  ) {}

  /** Input offset of the first byte not yet parsed (the incomplete record, if any). */
  get pending(): number {
    return this.carryLen > 0 ? this.carryPos : this.pos;
  }

  push(chunk: Buffer): void {
    const end = chunk.length;
    const chunkPos = this.pos;
    this.pos += end;
    let s = 0;
    if (this.carryLen > 0) {
      for (;;) {
        const want = this.parser.want;
        if (this.carry.length < want) this.grow(want);
        const take = Math.min(want - this.carryLen, end - s);
        chunk.copy(this.carry, this.carryLen, s, s + take);
        this.carryLen += take;
        s += take;
        if (this.carryLen < want) return;
        const used = this.parser.parse(this.carry, 0, this.carryLen, this.carryPos, this.handler);
        if (used === this.carryLen) {
          this.carryLen = 0;
          break;
        }
        if (used > 0) {
          this.carry.copyWithin(0, used, this.carryLen);
          this.carryLen -= used;
          this.carryPos += used;
        }
      }
    }
    const used = this.parser.parse(chunk, s, end, chunkPos + s, this.handler);
    if (used < end) {
      const rest = end - used;
      const need = Math.max(this.parser.want, rest);
      if (this.carry.length < need) this.grow(need);
      chunk.copy(this.carry, 0, used, end);
      this.carryLen = rest;
      this.carryPos = chunkPos + used;
    }
  }

  /** Called at the end of the input: an incomplete record left over means truncation. */
  finish(): void {
    if (this.carryLen > 0) {
      throw new CaptureError(
        'E_INPUT_TRUNCATED',
        this.file,
        this.carryPos,
        `input ends inside a record (${this.carryLen} of ${this.parser.want} bytes present)`,
      );
    }
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, MIN_CARRY, this.carry.length * 2));
    this.carry.copy(next, 0, 0, this.carryLen);
    this.carry = next;
  }
}

/**
 * Sequential reads of an open regular file, double-buffered: while the
 * caller parses one chunk, the next is read into the other buffer on the
 * thread pool, so the packet thread never waits for the kernel's copy from
 * the page cache (about a tenth of the packet thread's time when the reads
 * were synchronous). Only one read is in flight at a time.
 */
export class FileChunks implements ChunkInput {
  private readonly bufs: [Buffer, Buffer];
  /** The buffer the read in flight (or the next read) fills. */
  private cur = 0;
  private ahead: Promise<number> | null = null;
  private eof = false;

  constructor(private readonly fh: FileHandle, private readonly size: number) {
    this.bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  async next(): Promise<Buffer | null> {
    if (this.eof) return null;
    const n = await (this.ahead ?? this.fill(this.cur));
    this.ahead = null;
    const buf = this.bufs[this.cur];
    if (n < this.size) this.eof = true;
    if (n === 0) return null;
    this.cur ^= 1;
    if (!this.eof) this.readAhead();
    return n === this.size ? buf : buf.subarray(0, n);
  }

  async close(): Promise<void> {
    this.eof = true;
    if (this.ahead !== null) await this.ahead.catch(() => 0);
    this.ahead = null;
    await this.fh.close();
  }

  /** Starts reading the next chunk; a failure is reported by the next() that takes it. */
  private readAhead(): void {
    const p = this.fill(this.cur);
    p.catch(() => 0);
    this.ahead = p;
  }

  /** Fills buffer i (fewer bytes only at the end of the file); resolves to the bytes read. */
  private async fill(i: number): Promise<number> {
    const buf = this.bufs[i];
    let n = 0;
    while (n < this.size) {
      const r = (await this.fh.read(buf, n, this.size - n, null)).bytesRead;
      if (r === 0) break;
      n += r;
    }
    return n;
  }
}

/** Chunks from an async iterator (stream), after some chunks already taken off it. */
export class IteratorChunks implements ChunkInput {
  constructor(
    private readonly it: AsyncIterator<Buffer | string>,
    private readonly head: Buffer[],
  ) {}

  async next(): Promise<Buffer | null> {
    const h = this.head.shift();
    if (h !== undefined) return h;
    const r = await this.it.next();
    if (r.done === true) return null;
    return typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
  }

  async close(): Promise<void> {
    this.head.length = 0;
    if (this.it.return !== undefined) {
      try {
        await this.it.return();
      } catch {
        // The stream's own error has already been reported by next().
      }
    }
  }
}

/** Chunks queued before the stream is paused. */
const STREAM_QUEUE = 4;

/**
 * Iterates a stream through its 'data' events, so that everything the stream
 * emitted before an error is still delivered before the error (a stream's own
 * async iterator drops buffered data when the stream is destroyed, and zlib
 * destroys its stream on bad or truncated input).
 */
export class StreamIterator implements AsyncIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private failed = false;
  private error: unknown = null;
  private ended = false;
  private paused = false;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk !== undefined) {
        if (this.paused && this.queue.length === 0) {
          this.paused = false;
          this.stream.resume();
        }
        return { value: chunk, done: false };
      }
      if (this.failed) throw this.error;
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<Buffer>> {
    this.ended = true;
    this.queue.length = 0;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onClose);
    this.stream.destroy();
    return { value: undefined, done: true };
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.queue.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    if (!this.paused && this.queue.length >= STREAM_QUEUE) {
      this.paused = true;
      this.stream.pause();
    }
    this.notify();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  private readonly onError = (err: unknown): void => {
    if (!this.failed) {
      this.failed = true;
      this.error = err;
    }
    this.notify();
  };

  private readonly onClose = (): void => {
    if (!this.ended && !this.failed) this.onError(new Error('the stream closed before its end'));
  };

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    if (w !== null) w();
  }
}

/**
 * Maps an error raised while reading an input to a CaptureError: zlib errors
 * are truncation or corruption of the compressed data, anything else is a
 * read failure. `offset` is the offset of the first unparsed byte.
 */
export function readError(err: unknown, file: string, offset: number): Error {
  if (err instanceof CaptureError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'Z_BUF_ERROR') return new CaptureError('E_INPUT_TRUNCATED', file, offset, `gzip data ends early (${msg})`);
  if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB')) return new CaptureError('E_INPUT_CORRUPT', file, offset, `bad gzip data (${msg})`);
  return new CaptureError('E_INPUT_OPEN', file, offset, `read error: ${osReason(err)}`);
}

/** The OS reason of a file system error without the path Node appends ("ENOENT: no such file or directory"). */
export function osReason(err: unknown): string {
  const msg = typeof (err as Error)?.message === 'string' ? (err as Error).message : String(err);
  return msg.replace(/, \w+ '.*'$/s, '');
}

/**
 * p, after a turn of the event loop (so signal handlers run between chunks),
 * or null as soon as `signal` is aborted (a stream that is waiting for data
 * is then left waiting: close() ends it).
 */
function untilAborted(p: Promise<Buffer | null>, signal: AbortSignal): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      p.catch(() => undefined);
      resolve(null);
      return;
    }
    const onAbort = (): void => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (chunk) => setImmediate(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(chunk);
      }),
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export type ParserFactory = (file: string, stats: SourceStats) => RecordParser;

/** One capture file (or stream) read through one parser. */
export class CaptureSource implements PacketSource {
  readonly stats: SourceStats = { packets: 0, bytes: 0, bytesRead: 0, files: 1 };
  private started = false;

  /**
   * @param name   shown in messages
   * @param file   path named in errors ("-" for standard input)
   * @param input  the chunks after `head`
   * @param head   chunks already taken off the input while detecting the format
   * @param signal stops reading when aborted (run() resolves as at the end of
   *               the input, without the truncation check); with it, the event
   *               loop runs between chunks so the abort is noticed
   */
  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly input: ChunkInput,
    private readonly makeParser: ParserFactory,
    private readonly head: Buffer[] = [],
    private readonly signal?: AbortSignal,
  ) {}

  async run(handler: PacketHandler): Promise<void> {
    if (this.started) throw new Error(`${this.name}: run() called twice`);
    this.started = true;
    const asm = new RecordAssembler(this.makeParser(this.file, this.stats), handler, this.file);
    try {
      for (const chunk of this.head) {
        this.stats.bytesRead += chunk.length;
        asm.push(chunk);
      }
      this.head.length = 0;
      const signal = this.signal;
      for (;;) {
        let chunk: Buffer | null;
        try {
          chunk = signal === undefined ? await this.input.next() : await untilAborted(this.input.next(), signal);
        } catch (err) {
          throw readError(err, this.file, asm.pending);
        }
        if (signal?.aborted === true) return;
        if (chunk === null) break;
        this.stats.bytesRead += chunk.length;
        asm.push(chunk);
      }
      asm.finish();
    } finally {
      await this.input.close();
    }
  }

  /** Releases the input without reading it (when run() will not be called). */
  async close(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.input.close();
  }
}
