/**
 * A byte scratch for building fingerprint strings (JA3, JA3S, JA4) and
 * hashing them without building JavaScript strings first: numbers are
 * written as decimal or 4-digit lowercase hex ASCII, and the digest is taken
 * over the written bytes. One scratch per process (the packet thread);
 * callers build one fingerprint at a time.
 */
import { hash } from 'node:crypto';

/** Room for the longest list a parsed hello can hold (256 values of each list, 6 bytes each). */
const scratch = Buffer.alloc(8192);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export class FpBytes {
  pos = 0;

  reset(): this {
    this.pos = 0;
    return this;
  }

  byte(c: number): void {
    if (this.pos < scratch.length) scratch[this.pos++] = c;
  }

  /** A non-negative integer in decimal. */
  dec(v: number): void {
    if (this.pos + 10 > scratch.length) return;
    if (v < 10) {
      scratch[this.pos++] = 0x30 + v;
      return;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let t = v; digits-- > 0; t = Math.floor(t / 10)) scratch[--p] = 0x30 + (t % 10);
  }

  /** A 16-bit value as four lowercase hex digits. */
  hex4(v: number): void {
    if (this.pos + 4 > scratch.length) return;
    scratch[this.pos++] = HEX[(v >> 12) & 15];
    scratch[this.pos++] = HEX[(v >> 8) & 15];
    scratch[this.pos++] = HEX[(v >> 4) & 15];
    scratch[this.pos++] = HEX[v & 15];
  }

  /** Lowercase hex MD5 of the bytes written so far (JA3, JA3S). */
  md5Hex(): string {
    return hash('md5', scratch.subarray(0, this.pos), 'hex');
  }

  /** The first 12 lowercase hex digits of the SHA-256 of the bytes written so far (JA4's hashed parts). */
  sha256Hex12(): string {
    return hash('sha256', scratch.subarray(0, this.pos), 'hex').slice(0, 12);
  }

  /** The bytes written so far, as a string (tests and debugging). */
  text(): string {
    return scratch.toString('latin1', 0, this.pos);
  }
}

export const fp = new FpBytes();
