/**
 * Growing the typed arrays that hold per-slot state (struct-of-arrays
 * tables): a new array of the same kind and the given length, with the old
 * contents at its start and zeros after them. Used when a table doubles, not
 * per packet.
 */

export type GrowableArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** A copy of a, `length` elements long (length >= a.length), of a's kind. */
export function grown<T extends GrowableArray>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
