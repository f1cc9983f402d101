/**
 * Insertion into and removal from an open-addressing hash table with linear
 * probing, as the flow table, the alert detector's source index and the DPI
 * endpoint cache lay it out: `buckets` holds
 * slot + 1 (0 = empty), `hash[slot]` the slot's full hash, and the table size
 * is a power of two (mask = size - 1). Deletion shifts later entries of the
 * same probe run back into the hole (Knuth's algorithm R), so lookups never
 * need tombstones.
 */
export function removeFromProbeTable(buckets: Int32Array, hash: Int32Array, mask: number, slot: number): void {
  let i = hash[slot] & mask;
  while (buckets[i] !== slot + 1) i = (i + 1) & mask;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    const e = buckets[j];
    if (e === 0) break;
    const home = hash[e - 1] & mask;
    // Move e back to the hole at i unless its home lies cyclically in (i, j].
    const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
    if (!inRange) {
      buckets[i] = e;
      i = j;
    }
  }
  buckets[i] = 0;
}

/** Puts slot (whose full hash is h) into the first empty bucket of its probe run. */
export function insertIntoProbeTable(buckets: Int32Array, mask: number, h: number, slot: number): void {
  let i = h & mask;
  while (buckets[i] !== 0) i = (i + 1) & mask;
  buckets[i] = slot + 1;
}
