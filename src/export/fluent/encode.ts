/**
 * Encodes a batch of flow records as fluentd Forward Protocol v1 event
 * messages (client → server), in one of the carrier modes of the spec:
 *
 *   Message                  [tag, time, record, option?]      one message per record
 *   Forward                  [tag, [[time, record], ...], option]
 *   PackedForward            [tag, bin(entry entry ...), option]
 *   CompressedPackedForward  [tag, bin(gzip(entry entry ...)), option + compressed: 'gzip']
 *
 * msgpack: records are msgpack maps, written straight from the record object
 * by msgpack-writer.ts with the bytes msgpackr (records extension off) writes
 * for the int64-safe copy msgpackSafe makes, and by msgpackr itself for any
 * value that writer does not know: integers beyond 32 bits (the *_ms times,
 * large byte counters) are written as int64, not as the float64 msgpackr
 * would choose for a JS number; keys whose value is undefined are left out
 * (as JSON.stringify does). Time is EventTime (ext type 0) or integer
 * seconds. PackedForward entries go in a msgpack bin (the spec's SHOULD;
 * out_forward's str form is not used).
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
import { MsgpackWriter } from './msgpack-writer';
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

/**
 * The writer every msgpack message is built in (records written straight from
 * the object, msgpack-writer.ts); what it does not know goes through msgpackr
 * with the int64-safe copy. Used synchronously only: its bytes are copied out
 * before any await.
 */
const writer = new MsgpackWriter((v) => packr.pack(msgpackSafe(v)));
/** The head of a PackedForward message, written after its stream. */
const headWriter = new MsgpackWriter(writer.fallback, 256);

function writeTime(w: MsgpackWriter, ms: number, eventTime: boolean): void {
  if (eventTime) {
    w.ensure(10);
    w.pos = writeEventTime(w.buf, w.pos, ms);
  } else {
    w.number(timeSeconds(ms));
  }
}

/** One Entry: [time, record]. */
function writeEntry(w: MsgpackWriter, record: FlowRecord, eventTime: boolean): void {
  w.arrayHeader(2);
  writeTime(w, recordTimeMs(record), eventTime);
  w.value(record);
}

function encodeMessages(batch: readonly FlowRecord[], s: EncodeSettings, chunks: readonly string[] | null): Buffer {
  const w = writer;
  w.reset();
  for (let i = 0; i < batch.length; i++) {
    const record = batch[i];
    w.arrayHeader(chunks === null ? 3 : 4);
    w.str(s.tag);
    writeTime(w, recordTimeMs(record), s.eventTime);
    w.value(record);
    if (chunks !== null) w.value({ chunk: chunks[i] });
  }
  return w.bytes();
}

function option(size: number, chunk: string | null, compressed: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { size };
  if (chunk !== null) o.chunk = chunk;
  if (compressed) o.compressed = 'gzip';
  return o;
}

function encodeForward(batch: readonly FlowRecord[], s: EncodeSettings, chunk: string | null): Buffer {
  const w = writer;
  w.reset();
  w.arrayHeader(3);
  w.str(s.tag);
  w.arrayHeader(batch.length);
  for (const record of batch) writeEntry(w, record, s.eventTime);
  w.value(option(batch.length, chunk, false));
  return w.bytes();
}

/** The MessagePackEventStream of a batch: its entries back to back. */
export function eventStream(batch: readonly FlowRecord[], eventTime: boolean): Buffer {
  const w = writer;
  w.reset();
  for (const record of batch) writeEntry(w, record, eventTime);
  return w.bytes();
}

async function encodePacked(batch: readonly FlowRecord[], s: EncodeSettings, chunk: string | null): Promise<Buffer> {
  const compressed = s.mode === 'compressed';
  const w = writer;
  if (compressed) {
    const stream = await gzipAsync(eventStream(batch, s.eventTime));
    w.reset();
    w.arrayHeader(3);
    w.str(s.tag);
    w.binHeader(stream.length);
    w.raw(stream);
    w.value(option(batch.length, chunk, true));
    return w.bytes();
  }
  // [tag, bin(stream), option]: the stream is written first, then the head is put in front of it.
  w.reset();
  for (const record of batch) writeEntry(w, record, s.eventTime);
  const streamEnd = w.pos;
  w.value(option(batch.length, chunk, false));
  const head = headWriter;
  head.reset();
  head.arrayHeader(3);
  head.str(s.tag);
  head.binHeader(streamEnd);
  return Buffer.concat([head.view(), w.view()]);
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
