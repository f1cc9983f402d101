/**
 * Test helpers for the capture readers: builders of synthetic pcap and
 * pcapng files (either byte order, any block), a handler that copies every
 * frame it gets, and runners that read a buffer through a file or a stream
 * with a chosen chunk size.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openCaptureInput, openCaptureStream } from '../../src/capture/file-source';
import type { PacketHandler, PacketSource, SourceStats } from '../../src/capture/source';
import { CaptureError } from '../../src/util/errors';

export const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'capture');

export interface Frame {
  linkType: number;
  data: Buffer;
  caplen: number;
  wireLen: number;
  tsMs: number;
}

export class Collector implements PacketHandler {
  readonly frames: Frame[] = [];
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    if (off < 0 || off + caplen > buf.length) throw new Error(`frame view out of bounds: ${off}+${caplen} > ${buf.length}`);
    this.frames.push({ linkType, data: Buffer.from(buf.subarray(off, off + caplen)), caplen, wireLen, tsMs });
  }
}

export interface ReadResult {
  frames: Frame[];
  error: unknown;
  stats: SourceStats;
  name: string;
}

/** Runs a source to the end, keeping the frames and the error (if any) instead of throwing. */
export async function drain(src: PacketSource): Promise<ReadResult> {
  const c = new Collector();
  let error: unknown = null;
  try {
    await src.run(c);
  } catch (err) {
    error = err;
  }
  return { frames: c.frames, error, stats: { ...snapshot(src.stats) }, name: src.name };
}

function snapshot(s: SourceStats): SourceStats {
  return { packets: s.packets, bytes: s.bytes, bytesRead: s.bytesRead, files: s.files };
}

/** Opens then drains; an error from opening is returned like one from reading. */
export async function readWith(open: () => Promise<PacketSource>): Promise<ReadResult> {
  let src: PacketSource;
  try {
    src = await open();
  } catch (error) {
    return { frames: [], error, stats: { packets: 0, bytes: 0, bytesRead: 0, files: 0 }, name: '' };
  }
  return drain(src);
}

/** Reads `data` as a stream cut into chunks of `chunk` bytes. */
export function readStream(data: Buffer, chunk = 1 << 20, name = 'mem'): Promise<ReadResult> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return readWith(() => openCaptureStream(name, Readable.from(parts), { chunkSize: chunk }));
}

let tmpSeq = 0;
export { scratch } from '../support/common';
import { scratch } from '../support/common';

/** Writes data to a scratch file and returns its path. */
export function writeTemp(data: Buffer | string, name = `f${tmpSeq++}.bin`): string {
  const p = join(scratch(), name);
  writeFileSync(p, data);
  return p;
}

/** Reads `data` from a scratch file with the given read size. */
export function readFile(data: Buffer, chunk = 1 << 20): Promise<ReadResult> {
  const p = writeTemp(data);
  return readWith(() => openCaptureInput(p, { chunkSize: chunk }));
}

export function isCaptureError(err: unknown, code?: string): err is CaptureError {
  return err instanceof CaptureError && (code === undefined || err.code === code);
}

// ---- classic pcap ----------------------------------------------------------

export interface PcapRecord {
  sec: number;
  frac: number;
  data: Buffer;
  /** Original length (default data.length). */
  wire?: number;
  /** Captured length written in the header (default data.length). */
  caplen?: number;
}

export interface PcapOptions {
  le?: boolean;
  nsec?: boolean;
  linkType?: number;
  snaplen?: number;
  major?: number;
  minor?: number;
}

export function pcapHeader(o: PcapOptions = {}): Buffer {
  const le = o.le ?? true;
  const h = Buffer.alloc(24);
  const w32 = (v: number, p: number) => (le ? h.writeUInt32LE(v >>> 0, p) : h.writeUInt32BE(v >>> 0, p));
  const w16 = (v: number, p: number) => (le ? h.writeUInt16LE(v, p) : h.writeUInt16BE(v, p));
  w32(o.nsec ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(o.major ?? 2, 4);
  w16(o.minor ?? 4, 6);
  w32(o.snaplen ?? 65535, 16);
  w32(o.linkType ?? 1, 20);
  return h;
}

export function pcapRecord(r: PcapRecord, le = true): Buffer {
  const h = Buffer.alloc(16);
  const w32 = (v: number, p: number) => (le ? h.writeUInt32LE(v >>> 0, p) : h.writeUInt32BE(v >>> 0, p));
  w32(r.sec, 0);
  w32(r.frac, 4);
  w32(r.caplen ?? r.data.length, 8);
  w32(r.wire ?? r.data.length, 12);
  return Buffer.concat([h, r.data]);
}

export function pcapFile(o: PcapOptions, records: PcapRecord[]): Buffer {
  return Buffer.concat([pcapHeader(o), ...records.map((r) => pcapRecord(r, o.le ?? true))]);
}

// ---- pcapng -----------------------------------------------------------------

function pad4(b: Buffer): Buffer {
  const n = (4 - (b.length % 4)) % 4;
  return n === 0 ? b : Buffer.concat([b, Buffer.alloc(n)]);
}

/** A block with both length fields; the body is padded to 32 bits. `totalLength` overrides both. */
export function block(le: boolean, type: number, body: Buffer, totalLength?: number, trailingLength?: number): Buffer {
  const b = pad4(body);
  const len = totalLength ?? b.length + 12;
  const out = Buffer.alloc(b.length + 12);
  const w32 = (v: number, p: number) => (le ? out.writeUInt32LE(v >>> 0, p) : out.writeUInt32BE(v >>> 0, p));
  w32(type, 0);
  w32(len, 4);
  b.copy(out, 8);
  w32(trailingLength ?? len, out.length - 4);
  return out;
}

export function option(le: boolean, code: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  if (le) {
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(value.length, 2);
  } else {
    h.writeUInt16BE(code, 0);
    h.writeUInt16BE(value.length, 2);
  }
  return Buffer.concat([h, pad4(value)]);
}

export function endOfOptions(): Buffer {
  return Buffer.alloc(4);
}

export function shb(le: boolean, o: { major?: number; minor?: number; bom?: number } = {}): Buffer {
  const body = Buffer.alloc(16);
  if (le) {
    body.writeUInt32LE(o.bom ?? 0x1a2b3c4d, 0);
    body.writeUInt16LE(o.major ?? 1, 4);
    body.writeUInt16LE(o.minor ?? 0, 6);
  } else {
    body.writeUInt32BE(o.bom ?? 0x1a2b3c4d, 0);
    body.writeUInt16BE(o.major ?? 1, 4);
    body.writeUInt16BE(o.minor ?? 0, 6);
  }
  body.fill(0xff, 8, 16);
  return block(le, 0x0a0d0d0a, body);
}

export interface IdbOptions {
  snaplen?: number;
  tsresol?: number;
  tsoffset?: bigint;
  /** Raw option bytes appended as they are. */
  raw?: Buffer;
}

export function idb(le: boolean, linkType: number, o: IdbOptions = {}): Buffer {
  const head = Buffer.alloc(8);
  if (le) {
    head.writeUInt16LE(linkType, 0);
    head.writeUInt32LE(o.snaplen ?? 0, 4);
  } else {
    head.writeUInt16BE(linkType, 0);
    head.writeUInt32BE(o.snaplen ?? 0, 4);
  }
  const opts: Buffer[] = [];
  opts.push(option(le, 2, Buffer.from('eth0')));
  if (o.tsresol !== undefined) opts.push(option(le, 9, Buffer.from([o.tsresol])));
  if (o.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (le) v.writeBigInt64LE(o.tsoffset);
    else v.writeBigInt64BE(o.tsoffset);
    opts.push(option(le, 14, v));
  }
  if (o.raw) opts.push(o.raw);
  opts.push(endOfOptions());
  return block(le, 1, Buffer.concat([head, ...opts]));
}

function packetFields(le: boolean, first: Buffer, ticks: bigint, caplen: number, wire: number): Buffer {
  const f = Buffer.alloc(16);
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  if (le) {
    f.writeUInt32LE(hi, 0);
    f.writeUInt32LE(lo, 4);
    f.writeUInt32LE(caplen, 8);
    f.writeUInt32LE(wire, 12);
  } else {
    f.writeUInt32BE(hi, 0);
    f.writeUInt32BE(lo, 4);
    f.writeUInt32BE(caplen, 8);
    f.writeUInt32BE(wire, 12);
  }
  return Buffer.concat([first, f]);
}

export interface PacketBlockOptions {
  wire?: number;
  caplen?: number;
  /** Raw option bytes after the packet data. */
  options?: Buffer;
}

export function epb(le: boolean, ifid: number, ticks: bigint, data: Buffer, o: PacketBlockOptions = {}): Buffer {
  const id = Buffer.alloc(4);
  if (le) id.writeUInt32LE(ifid);
  else id.writeUInt32BE(ifid);
  const fields = packetFields(le, id, ticks, o.caplen ?? data.length, o.wire ?? data.length);
  return block(le, 6, Buffer.concat([fields, pad4(data), o.options ?? Buffer.alloc(0)]));
}

/** The obsolete Packet Block (type 2). */
export function pb(le: boolean, ifid: number, ticks: bigint, data: Buffer, o: PacketBlockOptions = {}): Buffer {
  const id = Buffer.alloc(4);
  if (le) id.writeUInt16LE(ifid);
  else id.writeUInt16BE(ifid);
  const fields = packetFields(le, id, ticks, o.caplen ?? data.length, o.wire ?? data.length);
  return block(le, 2, Buffer.concat([fields, pad4(data), o.options ?? Buffer.alloc(0)]));
}

export function spb(le: boolean, data: Buffer, wire?: number): Buffer {
  const w = Buffer.alloc(4);
  if (le) w.writeUInt32LE(wire ?? data.length);
  else w.writeUInt32BE(wire ?? data.length);
  return block(le, 3, Buffer.concat([w, data]));
}

/** Deterministic frame contents: `n` bytes derived from `seed`. */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export { rng } from '../support/common';

/** One line of a *.tsv written by tshark: interface id, epoch seconds, caplen, len. */
export interface TsharkFrame {
  ifid: number;
  tsMs: number;
  caplen: number;
  len: number;
}

export function parseTshark(text: string): TsharkFrame[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [ifid, epoch, caplen, len] = l.split('\t');
      const [s, f = ''] = epoch.split('.');
      const frac = Number((f + '000000000').slice(0, 9));
      return { ifid: ifid === '' ? 0 : Number(ifid), tsMs: Number(s) * 1000 + frac / 1e6, caplen: Number(caplen), len: Number(len) };
    });
}
