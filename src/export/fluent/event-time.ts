/**
 * Event times for the fluentd forward protocol (Forward Protocol
 * Specification v1, "EventTime Ext Format"): msgpack ext type 0 carrying a
 * 32-bit big-endian count of seconds since the Unix epoch and a 32-bit
 * big-endian count of nanoseconds, written as fixext8 (d7 00 ssssssss
 * nnnnnnnn). The alternative is a plain integer of seconds (and the only
 * choice in JSON).
 *
 * A flow's event time is its last_switched_ms: the capture timestamp of its
 * last packet (packet clock, not the wall clock at export), in milliseconds,
 * so the nanosecond part is always a multiple of 1 000 000. fluentd replaces
 * a time of 0 with its own "now", so a record without a usable time is sent
 * with 0 on purpose.
 */
import type { FlowRecord } from '../../flow/record';

/** Largest seconds value EventTime (uint32) can carry: 2106-02-07. */
const MAX_SECONDS = 0xffffffff;

/** The record's event time in milliseconds since the epoch (an alert's: its raised_at; 0 when it has none). */
export function recordTimeMs(record: FlowRecord): number {
  const ms = record.last_switched_ms;
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
  const s = record.last_switched;
  if (typeof s === 'number' && Number.isFinite(s) && s >= 0) return s * 1000;
  const raised = (record as { raised_at?: unknown }).raised_at;
  if (typeof raised === 'number' && Number.isFinite(raised) && raised >= 0) return raised;
  return 0;
}

/** Whole seconds of a millisecond time, clamped to what EventTime and fluentd accept. */
export function timeSeconds(ms: number): number {
  return Math.min(Math.floor(ms / 1000), MAX_SECONDS);
}

/** The 10 bytes of an EventTime (fixext8, type 0) for a millisecond time. */
export function eventTimeBytes(ms: number): Buffer {
  const b = Buffer.allocUnsafe(10);
  writeEventTime(b, 0, ms);
  return b;
}

/** Writes the 10 EventTime bytes at offset; returns the offset after them. */
export function writeEventTime(b: Buffer, offset: number, ms: number): number {
  const seconds = timeSeconds(ms);
  const nanos = seconds === MAX_SECONDS && ms >= (MAX_SECONDS + 1) * 1000 ? 0 : Math.round((ms - seconds * 1000) * 1e6);
  b[offset] = 0xd7;
  b[offset + 1] = 0x00;
  b.writeUInt32BE(seconds, offset + 2);
  b.writeUInt32BE(Math.min(nanos, 999_999_999), offset + 6);
  return offset + 10;
}
