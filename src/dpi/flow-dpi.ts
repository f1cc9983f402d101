/**
 * Per-flow DPI state, created when a flow carries its first payload. It holds
 * the flow's metadata and risks until the flow's final record is written, and
 * the working state (excluded dissectors, dissector scratch, TCP stream
 * buffers) only until the flow is classified and its metadata is complete:
 * dropWork() frees that part.
 */
import type { FlowMeta, MetaField, MetaValue } from './meta';

/** At most this many bytes of each TCP direction are reassembled for stream dissectors. */
export const STREAM_CAP = 16384;
/** Out-of-order TCP segments held per direction while waiting for a gap to fill. */
export const MAX_PENDING = 8;

export interface PendingSegment {
  seq: number;
  data: Buffer;
}

export class FlowDpi {
  /** Metadata fields in the order they were first set, and their values (read by name with getMeta()). */
  metaNames: MetaField[] | null = null;
  metaValues: MetaValue[] | null = null;
  risks: number[] | null = null;
  riskInfo: string | null = null;

  /** Bit i set: dissector i excluded itself. Null once the work is done. */
  excluded: Uint32Array | null;
  /**
   * Per-dissector scratch state (ctx.state) as pairs: registry index, state.
   * A flow gives state to a few dissectors out of the whole registry, so a
   * short list beats an array indexed by dissector (which would be mostly holes).
   */
  states: unknown[] | null = null;
  /** Index of the dissector that detected the flow and still wants packets, or -1. */
  detector = -1;
  /** Payload packets dissected per direction. */
  c2s = 0;
  s2c = 0;
  /** Next expected TCP sequence number per direction (-1: not known yet). */
  nextSeq0 = -1;
  nextSeq1 = -1;
  /** Reassembled TCP stream per direction (for stream dissectors). */
  stream0: Buffer | null = null;
  stream1: Buffer | null = null;
  streamLen0 = 0;
  streamLen1 = 0;
  /** Out-of-order segments waiting for a gap to fill, per direction. */
  pending0: PendingSegment[] | null = null;
  pending1: PendingSegment[] | null = null;

  /** The exclusion words, kept when the work is dropped so a recycled FlowDpi reuses them. */
  private bits: Uint32Array;

  constructor(dissectors: number) {
    this.bits = new Uint32Array((dissectors + 31) >>> 5);
    this.excluded = this.bits;
  }

  /** Makes a released FlowDpi new again (the engine keeps a few for reuse). */
  reuse(): void {
    this.metaNames = this.metaValues = null;
    this.risks = null;
    this.riskInfo = null;
    this.bits.fill(0);
    this.excluded = this.bits;
    this.states = null;
    this.detector = -1;
    this.c2s = this.s2c = 0;
    this.nextSeq0 = this.nextSeq1 = -1;
    this.stream0 = this.stream1 = null;
    this.streamLen0 = this.streamLen1 = 0;
    this.pending0 = this.pending1 = null;
  }

  /** Dissector i's scratch state, or undefined. */
  stateOf(i: number): unknown {
    const s = this.states;
    if (s === null) return undefined;
    for (let k = 0; k < s.length; k += 2) if (s[k] === i) return s[k + 1];
    return undefined;
  }

  /** Sets dissector i's scratch state. */
  setState(i: number, v: unknown): void {
    let s = this.states;
    if (s === null) {
      s = [];
      this.states = s;
    }
    for (let k = 0; k < s.length; k += 2) {
      if (s[k] === i) {
        s[k + 1] = v;
        return;
      }
    }
    s.push(i, v);
  }

  /** Payload packets dissected in both directions. */
  get payloadPkts(): number {
    return this.c2s + this.s2c;
  }

  /** A metadata field's value, or undefined when it was never set. */
  getMeta(field: MetaField): MetaValue | undefined {
    const names = this.metaNames;
    if (names === null || this.metaValues === null) return undefined;
    const i = names.indexOf(field);
    return i < 0 ? undefined : this.metaValues[i];
  }

  /** The metadata as an object, in set order (for record objects and tests; writers walk the arrays). */
  metaObject(): FlowMeta {
    const out: FlowMeta = {};
    const names = this.metaNames;
    const values = this.metaValues;
    if (names !== null && values !== null) for (let i = 0; i < names.length; i++) out[names[i]] = values[i];
    return out;
  }

  /** Sets a metadata field (keeping the first value unless overwrite); false when it kept the old value. */
  setMeta(field: MetaField, value: MetaValue, overwrite: boolean): boolean {
    if (this.metaNames === null || this.metaValues === null) {
      this.metaNames = [field];
      this.metaValues = [value];
      return true;
    }
    const i = this.metaNames.indexOf(field);
    if (i < 0) {
      this.metaNames.push(field);
      this.metaValues.push(value);
      return true;
    }
    if (!overwrite) return false;
    this.metaValues[i] = value;
    return true;
  }

  addRisk(r: number, info?: string): void {
    if (this.risks === null) this.risks = [];
    if (!this.risks.includes(r)) this.risks.push(r);
    if (info !== undefined && this.riskInfo === null) this.riskInfo = info;
  }

  hasRisk(r: number): boolean {
    return this.risks !== null && this.risks.includes(r);
  }

  dropWork(): void {
    this.excluded = null;
    this.states = null;
    this.stream0 = this.stream1 = null;
    this.pending0 = this.pending1 = null;
    this.detector = -1;
  }
}
