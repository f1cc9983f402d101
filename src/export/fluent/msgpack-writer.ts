/**
 * A MessagePack writer (MessagePack specification, msgpack/msgpack spec.md)
 * for the flow records of the forward transport: writes the map of a record
 * straight from the object into one growing buffer, without the int64-safe
 * copy and the per-record buffers msgpackr needs.
 *
 * The bytes are those of encode.ts's msgpackr path (msgpackr, records
 * extension off, variable map size, after msgpackSafe): the smallest int or
 * uint for integers within 32 bits, int64 (0xd3) for other safe integers,
 * float64 for every other number, str8/16/32 or fixstr by UTF-8 length, maps
 * and arrays with their smallest header, bin for byte arrays, int64/uint64
 * for BigInt. Object members whose value is undefined, a function or a
 * symbol are left out; such array items become nil (as JSON.stringify does).
 * Anything else (a Date, a Map, a class instance) is handed to msgpackr as
 * before. Strings are written as UTF-8 by Buffer (a lone surrogate becomes
 * U+FFFD).
 */
const TWO_32 = 0x1_0000_0000;
const INT64_MIN = -(2n ** 63n);
const INT64_LIMIT = 2n ** 63n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A buffer grown beyond this is given back at reset() (one unusually large batch does not keep its memory). */
const KEEP_BYTES = 16 * 1024 * 1024;

export class MsgpackWriter {
  buf: Buffer;
  pos = 0;

  /** fallback: how values this writer does not know are encoded (msgpackr with the int64-safe copy). */
  constructor(
    readonly fallback: (v: unknown) => Buffer,
    private readonly initialBytes = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Starts over (the bytes written so far are forgotten). */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(this.initialBytes);
  }

  /** A copy of the bytes written since reset(). */
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** The bytes written since start, without copying (valid until the next write or reset). */
  view(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }

  /** Makes room for n more bytes at pos. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  arrayHeader(n: number): void {
    this.header(n, 0x90, 16, 0xdc, 0xdd);
  }

  mapHeader(n: number): void {
    this.header(n, 0x80, 16, 0xde, 0xdf);
  }

  binHeader(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < 0x100) {
      b[this.pos++] = 0xc4;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xc5;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc6;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  private header(n: number, fix: number, fixLimit: number, h16: number, h32: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < fixLimit) {
      b[this.pos++] = fix | n;
    } else if (n < 0x10000) {
      b[this.pos++] = h16;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = h32;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  str(s: string): void {
    const len = s.length;
    if (len < 32) {
      // Short ASCII strings (most keys and values): one byte per character, fixstr header.
      this.ensure(1 + len);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === len) {
        b[start] = 0xa0 | len;
        this.pos = p;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(5 + n);
    const b = this.buf;
    if (n < 32) {
      b[this.pos++] = 0xa0 | n;
    } else if (n < 0x100) {
      b[this.pos++] = 0xd9;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xda;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdb;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.pos += b.write(s, this.pos, n, 'utf8');
  }

  number(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (Number.isInteger(v)) {
      if (v >= 0) {
        if (v < 0x80) {
          b[this.pos++] = v;
          return;
        }
        if (v < 0x100) {
          b[this.pos++] = 0xcc;
          b[this.pos++] = v;
          return;
        }
        if (v < 0x10000) {
          b[this.pos++] = 0xcd;
          b.writeUInt16BE(v, this.pos);
          this.pos += 2;
          return;
        }
        if (v < TWO_32) {
          b[this.pos++] = 0xce;
          b.writeUInt32BE(v, this.pos);
          this.pos += 4;
          return;
        }
      } else {
        if (v >= -32) {
          b[this.pos++] = 0x100 + v;
          return;
        }
        if (v >= -0x80) {
          b[this.pos++] = 0xd0;
          b.writeInt8(v, this.pos++);
          return;
        }
        if (v >= -0x8000) {
          b[this.pos++] = 0xd1;
          b.writeInt16BE(v, this.pos);
          this.pos += 2;
          return;
        }
        if (v >= -0x8000_0000) {
          b[this.pos++] = 0xd2;
          b.writeInt32BE(v, this.pos);
          this.pos += 4;
          return;
        }
      }
      if (Number.isSafeInteger(v)) {
        const hi = Math.floor(v / TWO_32);
        b[this.pos++] = 0xd3;
        b.writeInt32BE(hi, this.pos);
        b.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
        this.pos += 8;
        return;
      }
    }
    b[this.pos++] = 0xcb;
    b.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** Any value; see the module comment for what each becomes. */
  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.str(v);
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'bigint':
        this.bigint(v);
        return;
      case 'object':
        if (v === null) break;
        if (Array.isArray(v)) {
          this.array(v);
          return;
        }
        if (v instanceof Uint8Array) {
          this.binHeader(v.length);
          this.raw(v);
          return;
        }
        if (Object.getPrototypeOf(v) === Object.prototype) {
          this.map(v as Record<string, unknown>);
          return;
        }
        this.raw(this.fallback(v));
        return;
      default:
        // undefined, functions and symbols: nil (only reached for array items and top-level values).
        break;
    }
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
  }

  /**
   * A plain object (prototype Object.prototype) as a map of its enumerable
   * members, undefined, function and symbol values left out. for...in is
   * the fast walk over a JSON.parse'd object; on a plain object it sees only
   * its own members (unless Object.prototype itself was given enumerable
   * members).
   */
  map(o: Record<string, unknown>): void {
    let n = 0;
    for (const k in o) if (kept(o[k])) n++;
    this.mapHeader(n);
    for (const k in o) {
      const v = o[k];
      if (!kept(v)) continue;
      this.str(k);
      this.value(v);
    }
  }

  private array(a: readonly unknown[]): void {
    this.arrayHeader(a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
  }

  private bigint(v: bigint): void {
    this.ensure(9);
    if (v >= INT64_MIN && v < INT64_LIMIT) {
      this.buf[this.pos++] = 0xd3;
      this.buf.writeBigInt64BE(v, this.pos);
    } else if (v > 0n && v <= UINT64_MAX) {
      this.buf[this.pos++] = 0xcf;
      this.buf.writeBigUInt64BE(v, this.pos);
    } else {
      throw new RangeError(`the integer ${v} does not fit in 64 bits`);
    }
    this.pos += 8;
  }
}

function kept(v: unknown): boolean {
  const t = typeof v;
  return v !== undefined && t !== 'function' && t !== 'symbol';
}
