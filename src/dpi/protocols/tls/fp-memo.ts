/**
 * Fingerprints remembered by the values they are made from. A fingerprint
 * (JA3, JA3S, JA4) is a function of a few numbers and lists of 16-bit
 * values taken from a hello, and the same client and server stacks send
 * the same ones over and over: each fingerprint is kept under a key made of
 * those values, so a hello like one seen before costs writing and comparing
 * its key instead of writing the fingerprint text and hashing it.
 * The caller writes the key (start, add, list), then either find()s the
 * fingerprint or makes it and remember()s it. Memory is bounded: a full memo
 * is emptied, and keys longer than the scratch are not remembered.
 */
import { isGrease } from './versions';

/** Longest key remembered (16-bit values). */
const MAX_KEY = 2048;
/** Most fingerprints remembered per memo. */
const MAX_ENTRIES = 4096;

interface Entry {
  readonly key: Uint16Array;
  readonly value: string;
}

export class FpMemo {
  private readonly key = new Uint16Array(MAX_KEY);
  private n = 0;
  /** FNV-1a over the key's values, the map's index (entries hold the whole key to compare). */
  private h = 0;
  private readonly entries = new Map<number, Entry>();

  /** Starts a new key. */
  start(): this {
    this.n = 0;
    this.h = 0x811c9dc5 | 0;
    return this;
  }

  /** Appends a value (0..65535) to the key. */
  add(v: number): void {
    if (this.n < MAX_KEY) this.key[this.n] = v;
    this.n++;
    this.h = Math.imul(this.h ^ v, 0x01000193);
  }

  /** Appends a list of values (without GREASE values when skipGrease) followed by how many were appended. */
  list(values: readonly number[], skipGrease: boolean): void {
    let k = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (skipGrease && isGrease(v)) continue;
      this.add(v);
      k++;
    }
    this.add(k);
  }

  /** The fingerprint remembered for the key written, or undefined. */
  find(): string | undefined {
    const n = this.n;
    if (n > MAX_KEY) return undefined;
    const e = this.entries.get(this.h);
    if (e === undefined || e.key.length !== n) return undefined;
    const key = this.key;
    for (let i = 0; i < n; i++) if (e.key[i] !== key[i]) return undefined;
    return e.value;
  }

  /** Remembers value as the fingerprint of the key written; returns it. */
  remember(value: string): string {
    if (this.n > MAX_KEY) return value;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(this.h, { key: this.key.slice(0, this.n), value });
    return value;
  }
}
