/**
 * Encodes a batch of flow records as fluentd Forward Protocol v1 event
 * messages (client → server), in one of the carrier modes of the spec:
 *
 *   Message                  [tag, time, record, option?]      one message per record
 *   Forward                  [tag, [[time, record], ...], option]
 *   PackedForward            [tag, bin(entry entry ...), option]
 *   CompressedPackedForward  [tag, bin(gzip(entry entry ...)), option + compressed: 'gzip']
 *
 * msgpack: records are msgpack maps written by msgpackr (records extension
 * off); integers beyond 32 bits (the *_ms times, large byte counters) are
 * written as int64, not as the float64 msgpackr would choose for a JS number;
 * keys whose value is undefined are left out (as JSON.stringify does). Time is
 * EventTime (ext type 0) or integer seconds. PackedForward entries go in a
 * msgpack bin (the spec's SHOULD; out_forward's str form is not used).
 *
 * json: fluentd's in_forward reads a connection as JSON when its first byte
 * is '[' or '{' and then parses a stream of JSON values, each one a Message
 * or Forward array (PackedForward is impossible, a JSON string cannot hold
 * the binary stream). Time is then integer seconds (the spec: "EventTime is
 * formatted into Integer in json format"). Values are written back to back
 * without separators, as ndff did.
 *
 * option: size (number of events) except in Message mode, chunk (base64 of
 * 16 random bytes, chosen by the caller) when acks are on, compressed: 'gzip'
 * for CompressedPackedForward. Message mode without acks sends no option
 * (exactly ndff's [tag, time, record]).
 */
import { Packr } from 'msgpackr';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FlowRecord } from '../../flow/record';
import { recordTimeMs, timeSeconds, writeEventTime } from './event-time';
import type { ForwardEncoding, ForwardMode } from './options';

const gzipAsync = promisify(gzip);

export interface EncodeSettings {
  tag: string;
  encoding: ForwardEncoding;
  mode: ForwardMode;
  eventTime: boolean;
}

/** msgpackr with maps for objects (no records extension), compatible with every msgpack reader. */
export const packr = new Packr({ useRecords: false, variableMapSize: true });

/** How many chunk ids (acks) a batch needs in a mode. */
export function chunksNeeded(mode: ForwardMode, records: number): number {
  return mode === 'message' ? records : 1;
}

/**
 * The bytes of all messages for a batch, back to back. chunks: null when
 * acks are off, else chunksNeeded() ids (one per message, in order).
 */
export async function encodeBatch(batch: readonly FlowRecord[], s: EncodeSettings, chunks: readonly string[] | null): Promise<Buffer> {
  if (chunks !== null && chunks.length !== chunksNeeded(s.mode, batch.length)) {
    throw new Error(`encodeBatch: ${chunks.length} chunk ids for ${batch.length} records in ${s.mode} mode`);
  }
  if (s.encoding === 'json') return encodeJson(batch, s, chunks);
  switch (s.mode) {
    case 'message':
      return encodeMessages(batch, s, chunks);
    case 'forward':
      return encodeForward(batch, s, chunks === null ? null : chunks[0]);
    case 'packed':
    case 'compressed':
      return encodePacked(batch, s, chunks === null ? null : chunks[0]);
  }
}

// ---- msgpack ---------------------------------------------------------------

/**
 * A copy of a value that msgpackr writes the way fluentd expects: integers
 * outside the 32-bit ranges become BigInt (written as int64), undefined
 * object members are dropped and undefined array items become null.
 */
export function msgpackSafe(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return (value > 0xffffffff || value < -0x80000000) && Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let plain = true;
    for (const v of value) if (typeof v !== 'string') plain = false;
    return plain ? value : value.map((v: unknown) => (v === undefined ? null : msgpackSafe(v)));
  }
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) {
    const v = src[key];
    const t = typeof v;
    if (t === 'string' || t === 'boolean') out[key] = v;
    else if (v !== undefined && t !== 'function' && t !== 'symbol') out[key] = msgpackSafe(v);
  }
  return out;
}

function packRecord(record: FlowRecord): Buffer {
  return packr.pack(msgpackSafe(record));
}

function packTime(ms: number, eventTime: boolean): Buffer {
  if (eventTime) {
    const b = Buffer.allocUnsafe(10);
    writeEventTime(b, 0, ms);
    return b;
  }
  return packr.pack(timeSeconds(ms));
}

/** msgpack array header for n items. */
export function arrayHeader(n: number): Buffer {
  if (n < 16) return Buffer.from([0x90 | n]);
  if (n < 0x10000) return Buffer.from([0xdc, n >> 8, n & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xdd;
  b.writeUInt32BE(n, 1);
  return b;
}

/** msgpack bin header for n bytes. */
export function binHeader(n: number): Buffer {
  if (n < 0x100) return Buffer.from([0xc4, n]);
  if (n < 0x10000) return Buffer.from([0xc5, n >> 8, n & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xc6;
  b.writeUInt32BE(n, 1);
  return b;
}

/** One Entry: [time, record]. */
function entryParts(record: FlowRecord, eventTime: boolean, out: Buffer[]): void {
  out.push(ENTRY_HEADER, packTime(recordTimeMs(record), eventTime), packRecord(record));
}

const ENTRY_HEADER = Buffer.from([0x92]);

function encodeMessages(batch: readonly FlowRecord[], s: EncodeSettings, chunks: readonly string[] | null): Buffer {
  const tag = packr.pack(s.tag);
  const parts: Buffer[] = [];
  batch.forEach((record, i) => {
    parts.push(arrayHeader(chunks === null ? 3 : 4), tag, packTime(recordTimeMs(record), s.eventTime), packRecord(record));
    if (chunks !== null) parts.push(packr.pack({ chunk: chunks[i] }));
  });
  return Buffer.concat(parts);
}

function option(size: number, chunk: string | null, compressed: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { size };
  if (chunk !== null) o.chunk = chunk;
  if (compressed) o.compressed = 'gzip';
  return o;
}

function encodeForward(batch: readonly FlowRecord[], s: EncodeSettings, chunk: string | null): Buffer {
  const parts: Buffer[] = [arrayHeader(3), packr.pack(s.tag), arrayHeader(batch.length)];
  for (const record of batch) entryParts(record, s.eventTime, parts);
  parts.push(packr.pack(option(batch.length, chunk, false)));
  return Buffer.concat(parts);
}

/** The MessagePackEventStream of a batch: its entries back to back. */
export function eventStream(batch: readonly FlowRecord[], eventTime: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const record of batch) entryParts(record, eventTime, parts);
  return Buffer.concat(parts);
}

async function encodePacked(batch: readonly FlowRecord[], s: EncodeSettings, chunk: string | null): Promise<Buffer> {
  const compressed = s.mode === 'compressed';
  let stream = eventStream(batch, s.eventTime);
  if (compressed) stream = await gzipAsync(stream);
  return Buffer.concat([arrayHeader(3), packr.pack(s.tag), binHeader(stream.length), stream, packr.pack(option(batch.length, chunk, compressed))]);
}

// ---- json ------------------------------------------------------------------

function encodeJson(batch: readonly FlowRecord[], s: EncodeSettings, chunks: readonly string[] | null): Buffer {
  const tag = JSON.stringify(s.tag);
  if (s.mode === 'message') {
    const parts = batch.map((record, i) => {
      const head = `[${tag},${timeSeconds(recordTimeMs(record))},${JSON.stringify(record)}`;
      return chunks === null ? `${head}]` : `${head},${JSON.stringify({ chunk: chunks[i] })}]`;
    });
    return Buffer.from(parts.join(''), 'utf8');
  }
  const entries = batch.map((record) => `[${timeSeconds(recordTimeMs(record))},${JSON.stringify(record)}]`);
  const opt = JSON.stringify(option(batch.length, chunks === null ? null : chunks[0], false));
  return Buffer.from(`[${tag},[${entries.join(',')}],${opt}]`, 'utf8');
}
