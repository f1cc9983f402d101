/**
 * A bounds-checked reader over a payload view with a cursor. Reads past the
 * end return 0 (or an empty string) and set `overrun` instead of throwing, so
 * a dissector reads a truncated packet field by field and checks the flag
 * once. Multi-byte integers are big-endian unless the name ends in "le".
 * One Cursor is reused for every packet; reset() points it at a new view.
 */

const EMPTY = Buffer.alloc(0);

export class Cursor {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  overrun = false;

  /** Points the cursor at buf[off, off + len). */
  reset(buf: Buffer, off: number, len: number): this {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    this.overrun = false;
    return this;
  }

  remaining(): number {
    return this.end > this.pos ? this.end - this.pos : 0;
  }

  /** True when n more bytes can be read. */
  has(n: number): boolean {
    return this.pos + n <= this.end;
  }

  private take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) {
      this.overrun = true;
      this.pos = this.end;
      return -1;
    }
    this.pos = p + n;
    return p;
  }

  u8(): number {
    const p = this.take(1);
    return p < 0 ? 0 : this.buf[p];
  }

  u16(): number {
    const p = this.take(2);
    return p < 0 ? 0 : (this.buf[p] << 8) | this.buf[p + 1];
  }

  u24(): number {
    const p = this.take(3);
    return p < 0 ? 0 : (this.buf[p] << 16) | (this.buf[p + 1] << 8) | this.buf[p + 2];
  }

  u32(): number {
    const p = this.take(4);
    return p < 0 ? 0 : ((this.buf[p] << 24) | (this.buf[p + 1] << 16) | (this.buf[p + 2] << 8) | this.buf[p + 3]) >>> 0;
  }

  u16le(): number {
    const p = this.take(2);
    return p < 0 ? 0 : this.buf[p] | (this.buf[p + 1] << 8);
  }

  u32le(): number {
    const p = this.take(4);
    return p < 0 ? 0 : (this.buf[p] | (this.buf[p + 1] << 8) | (this.buf[p + 2] << 16) | (this.buf[p + 3] << 24)) >>> 0;
  }

  /** Advances n bytes; returns the offset where they start (or -1 on overrun). */
  skip(n: number): number {
    return this.take(n);
  }

  /** The byte at pos + i without moving (0 when out of range). */
  peek(i = 0): number {
    const p = this.pos + i;
    return p >= 0 && p < this.end ? this.buf[p] : 0;
  }

  /** n bytes as a latin1 string (metadata only: allocates). */
  latin1(n: number): string {
    const p = this.take(n);
    return p < 0 ? '' : this.buf.toString('latin1', p, p + n);
  }

  /** n bytes as UTF-8 (metadata only: allocates). */
  utf8(n: number): string {
    const p = this.take(n);
    return p < 0 ? '' : this.buf.toString('utf8', p, p + n);
  }

  /** n bytes as lowercase hex (metadata only: allocates). */
  hex(n: number): string {
    const p = this.take(n);
    return p < 0 ? '' : this.buf.toString('hex', p, p + n);
  }
}
