/**
 * The most frequent application labels per tracked source, in typed arrays
 * indexed by the source's slot: the Space-Saving algorithm (Metwally,
 * Agrawal and El Abbadi, "Efficient computation of frequent and top-k
 * elements in data streams", ICDT 2005) with TOP_LABELS counters per slot.
 * A label is a number (app << 16 | master, 0 for Unknown). While a slot has
 * seen at most TOP_LABELS different labels the counts are exact; after that
 * a new label takes over the smallest counter and its count is an upper
 * bound (the evidence says "mostly Skype", not an audit).
 */

import { grown } from '../util/typed-grow';

export const TOP_LABELS = 4;

export interface LabelCount {
  label: number;
  flows: number;
}

export class TopLabels {
  private labels: Uint32Array = new Uint32Array(0);
  private counts: Uint32Array = new Uint32Array(0);
  /** Labels counted per slot (all of them, not just the top ones). */
  total: Uint32Array = new Uint32Array(0);

  static readonly BYTES_PER_SLOT = TOP_LABELS * 8 + 4;

  grow(cap: number): void {
    this.labels = grown(this.labels, cap * TOP_LABELS);
    this.counts = grown(this.counts, cap * TOP_LABELS);
    this.total = grown(this.total, cap);
  }

  clear(slot: number): void {
    this.counts.fill(0, slot * TOP_LABELS, (slot + 1) * TOP_LABELS);
    this.total[slot] = 0;
  }

  add(slot: number, label: number): void {
    const base = slot * TOP_LABELS;
    const c = this.counts;
    const l = this.labels;
    let min = base;
    this.total[slot]++;
    for (let i = base; i < base + TOP_LABELS; i++) {
      if (c[i] !== 0 && l[i] === label) {
        c[i]++;
        return;
      }
      if (c[i] < c[min]) min = i;
    }
    l[min] = label;
    c[min]++;
  }

  /** The slot's labels, most frequent first. */
  top(slot: number): LabelCount[] {
    const out: LabelCount[] = [];
    for (let i = slot * TOP_LABELS; i < (slot + 1) * TOP_LABELS; i++) {
      if (this.counts[i] !== 0) out.push({ label: this.labels[i], flows: this.counts[i] });
    }
    return out.sort((a, b) => b.flows - a.flows || a.label - b.label);
  }
}
