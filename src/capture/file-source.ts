/**
 * Opening capture inputs: a path, or "-" for standard input, recognised by
 * content, never by name. gzip (1f 8b) is decompressed and recognised again;
 * classic pcap (four magics) and pcapng (Section Header Block 0a 0d 0d 0a) go
 * to their parsers; a small UTF-8 text file is an ndpiReader-style playlist
 * (one capture path per line, blank lines and lines starting with # ignored,
 * relative paths resolved against the playlist's directory) whose files are
 * read one after another as one source. Anything else is E_INPUT_FORMAT.
 * Regular files are read with fs reads into reused buffers; standard input,
 * pipes and gzip output are read as streams, through the same parser core.
 */

import { constants as fsConstants } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError, UsageError } from '../util/errors';
import { chainSources } from './chain';
import { isPcapMagic, PcapParser } from './pcap';
import { isPcapngMagic, PcapngParser } from './pcapng';
import { CaptureSource, FileChunks, IteratorChunks, osReason, readError, StreamIterator, type ParserFactory } from './reader';
import type { PacketSource, SourceStats } from './source';

export { chainSources, type SourceOpener } from './chain';

export interface CaptureInputOptions {
  /**
   * Bytes per file read, and the size of gunzip's output chunks
   * (default DEFAULT_CHUNK_SIZE). Tiny values are for tests of records that
   * straddle chunks.
   */
  chunkSize?: number;
  /** What "-" reads (default process.stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /**
   * Stops reading when aborted (SIGINT/SIGTERM): run() then resolves after
   * the frames already read, as at the end of the input. With a signal, the
   * readers let the event loop run between chunks, so the abort is seen
   * within a chunk.
   */
  signal?: AbortSignal;
}

/**
 * Bytes read at a time. Capture files are read ahead on the thread pool
 * (reader.ts FileChunks); with 1 MiB chunks the packet thread still waited
 * for a read about one chunk in ten on a busy 2-core machine (150 ms idle on
 * the bench input), with 4 MiB about 25 ms.
 */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** A text file larger than this is not taken for a playlist. */
export const PLAYLIST_MAX_BYTES = 1024 * 1024;
const MAX_PLAYLIST_DEPTH = 8;
/** Bytes looked at to recognise a file. */
const SNIFF_BYTES = 512;
/** zlib's smallest output chunk. */
const ZLIB_MIN_CHUNK = 64;

const MAGICS: readonly number[][] = [
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0xa1, 0xb2, 0x3c, 0x4d],
  [0x0a, 0x0d, 0x0d, 0x0a],
  [0x1f, 0x8b],
];

interface Ctx {
  chunkSize: number;
  stdin: AsyncIterable<Buffer | string> | undefined;
  signal: AbortSignal | undefined;
}

type Kind = 'pcap' | 'pcapng' | 'gzip' | 'text' | 'empty' | 'short' | 'unknown';

const pcapParser: ParserFactory = (file: string, stats: SourceStats) => new PcapParser(file, stats);
const pcapngParser: ParserFactory = (file: string, stats: SourceStats) => new PcapngParser(file, stats);

/**
 * Opens one capture input: a path or "-" (standard input). Resolves once the
 * input has been recognised; rejects with CaptureError E_INPUT_OPEN (cannot
 * open or read, with the OS reason), E_INPUT_FORMAT (not a capture file),
 * E_INPUT_TRUNCATED (shorter than a file header). A playlist's entries are
 * checked for readability now and opened when their turn comes.
 */
export async function openCaptureInput(spec: string, options: CaptureInputOptions = {}): Promise<PacketSource> {
  return openSpec(spec, makeCtx(options), 0);
}

/**
 * Opens several inputs read in sequence as one source (the CLI's
 * comma-separated list). The first is opened now; the others are checked for
 * readability now and opened when their turn comes, so run() can also reject
 * with their open or format errors, after the earlier inputs' packets.
 */
export async function openCaptureInputs(specs: readonly string[], options: CaptureInputOptions = {}): Promise<PacketSource> {
  if (specs.length === 0) throw new UsageError('no capture input given');
  if (specs.length === 1) return openCaptureInput(specs[0], options);
  const ctx = makeCtx(options);
  for (const s of specs.slice(1)) if (s !== '-') await checkReadable(s, '');
  const first = await openSpec(specs[0], ctx, 0);
  return chainSources(specs.join(','), [first, ...specs.slice(1).map((s) => () => openSpec(s, ctx, 0))], ctx.signal);
}

/**
 * Opens a capture carried by a stream (or any async iterable of Buffers),
 * recognised by content like a file. `name` is used in messages and errors;
 * playlist entries are resolved against the current directory.
 */
export async function openCaptureStream(
  name: string,
  stream: AsyncIterable<Buffer | string>,
  options: CaptureInputOptions = {},
): Promise<PacketSource> {
  return openStream(name, name, stream, process.cwd(), makeCtx(options), 0);
}

function makeCtx(options: CaptureInputOptions): Ctx {
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunkSize must be a positive integer, got ${size}`);
  return { chunkSize: size, stdin: options.stdin, signal: options.signal };
}

async function openSpec(spec: string, ctx: Ctx, depth: number): Promise<PacketSource> {
  if (spec === '-') return openStream('stdin', '-', ctx.stdin ?? process.stdin, process.cwd(), ctx, depth);
  return openFile(spec, ctx, depth);
}

async function openFile(file: string, ctx: Ctx, depth: number): Promise<PacketSource> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new CaptureError('E_INPUT_OPEN', file, -1, `cannot open: ${osReason(err)}`);
  }
  let handedOver = false;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new CaptureError('E_INPUT_OPEN', file, -1, 'cannot open: is a directory');
    if (!st.isFile()) {
      handedOver = true;
      return await openStream(file, file, fh.createReadStream({ highWaterMark: ctx.chunkSize }), dirname(file), ctx, depth);
    }
    const peek = Buffer.alloc(SNIFF_BYTES);
    let n: number;
    try {
      n = (await fh.read(peek, 0, SNIFF_BYTES, 0)).bytesRead;
    } catch (err) {
      throw new CaptureError('E_INPUT_OPEN', file, 0, `cannot read: ${osReason(err)}`);
    }
    const kind = sniff(peek.subarray(0, n));
    switch (kind) {
      case 'pcap':
      case 'pcapng':
        handedOver = true;
        return new CaptureSource(file, file, new FileChunks(fh, ctx.chunkSize), kind === 'pcap' ? pcapParser : pcapngParser, [], ctx.signal);
      case 'gzip':
        handedOver = true;
        return await openStream(file, file, gunzip(fh.createReadStream({ start: 0, highWaterMark: ctx.chunkSize }), ctx), dirname(file), ctx, depth);
      case 'text':
        if (st.size > PLAYLIST_MAX_BYTES) throw notCapture(file, peek.subarray(0, n));
        return await openPlaylist(file, await fh.readFile(), dirname(file), ctx, depth);
      default:
        throw unrecognised(kind, file, peek.subarray(0, n));
    }
  } finally {
    if (!handedOver) await fh.close();
  }
}

async function openStream(
  name: string,
  file: string,
  stream: AsyncIterable<Buffer | string>,
  baseDir: string,
  ctx: Ctx,
  depth: number,
): Promise<PacketSource> {
  const it: AsyncIterator<Buffer | string> = stream instanceof Readable ? new StreamIterator(stream) : stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  let ended = false;
  const pull = async (): Promise<boolean> => {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await it.next();
    } catch (err) {
      await closeIterator(it);
      throw readError(err, file, have);
    }
    if (r.done === true) {
      ended = true;
      return false;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
    if (b.length > 0) {
      head.push(b);
      have += b.length;
    }
    return true;
  };
  while (have < 4 && (await pull()));
  const first = head.length === 1 ? head[0] : Buffer.concat(head);
  const kind = sniff(first.subarray(0, SNIFF_BYTES));
  switch (kind) {
    case 'pcap':
    case 'pcapng':
      return new CaptureSource(name, file, new IteratorChunks(it, head), kind === 'pcap' ? pcapParser : pcapngParser, [], ctx.signal);
    case 'gzip':
      return openStream(name, file, gunzip(Readable.from(prepend(head, it)), ctx), baseDir, ctx, depth);
    case 'text': {
      while (!ended && have <= PLAYLIST_MAX_BYTES && (await pull()));
      if (have > PLAYLIST_MAX_BYTES) {
        await closeIterator(it);
        throw notCapture(file, first);
      }
      return openPlaylist(file, Buffer.concat(head), baseDir, ctx, depth);
    }
    default:
      await closeIterator(it);
      throw unrecognised(kind, file, first);
  }
}

async function openPlaylist(list: string, data: Buffer, baseDir: string, ctx: Ctx, depth: number): Promise<PacketSource> {
  let text: string;
  try {
    if (!looksLikeText(data)) throw new Error('binary');
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw notCapture(list, data);
  }
  if (depth >= MAX_PLAYLIST_DEPTH) {
    throw new CaptureError('E_INPUT_FORMAT', list, -1, `playlists nested more than ${MAX_PLAYLIST_DEPTH} deep`);
  }
  const entries: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const path = resolve(baseDir, line);
    await checkReadable(path, ` (listed in ${list} line ${i + 1})`);
    entries.push(path);
  }
  if (entries.length === 0) {
    throw new CaptureError('E_INPUT_FORMAT', list, -1, 'not a capture file, and as a playlist it lists no capture files');
  }
  return chainSources(list, entries.map((path) => () => openSpec(path, ctx, depth + 1)), ctx.signal);
}

async function checkReadable(path: string, listedIn: string): Promise<void> {
  try {
    await access(path, fsConstants.R_OK);
  } catch (err) {
    throw new CaptureError('E_INPUT_OPEN', path, -1, `cannot open${listedIn}: ${osReason(err)}`);
  }
}

function gunzip(src: NodeJS.ReadableStream, ctx: Ctx): Readable {
  const z = createGunzip({ chunkSize: Math.max(ZLIB_MIN_CHUNK, ctx.chunkSize) });
  pipeline(src, z, () => undefined);
  return z;
}

async function* prepend(head: Buffer[], it: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield* head;
  for (;;) {
    const r = await it.next();
    if (r.done === true) return;
    yield r.value;
  }
}

async function closeIterator(it: AsyncIterator<unknown>): Promise<void> {
  if (it.return === undefined) return;
  try {
    await it.return();
  } catch {
    // Closing after a failure: the failure is what gets reported.
  }
}

function sniff(b: Buffer): Kind {
  if (b.length === 0) return 'empty';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 4) {
    if (isPcapMagic(b, 0)) return 'pcap';
    if (isPcapngMagic(b, 0)) return 'pcapng';
  }
  if (b.length < 4 && MAGICS.some((m) => b.length < m.length && b.every((x, i) => x === m[i]))) return 'short';
  if (looksLikeText(b)) return 'text';
  return 'unknown';
}

/** Tabs, line ends, printable ASCII and bytes of UTF-8 sequences only. */
function looksLikeText(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c === 0x7f) return false;
  }
  return true;
}

function unrecognised(kind: Kind, file: string, head: Buffer): CaptureError {
  if (kind === 'empty') return new CaptureError('E_INPUT_FORMAT', file, -1, 'not a capture file: the input is empty');
  if (kind === 'short') return new CaptureError('E_INPUT_TRUNCATED', file, 0, 'input ends inside the file header');
  return notCapture(file, head);
}

function notCapture(file: string, head: Buffer): CaptureError {
  const hex = head.subarray(0, 4).toString('hex').replace(/(..)(?=.)/g, '$1 ');
  return new CaptureError('E_INPUT_FORMAT', file, -1, `not a pcap, pcapng, gzip or playlist file (starts with ${hex})`);
}
