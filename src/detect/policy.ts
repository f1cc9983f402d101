/**
 * Policy rules: the conditions of each rule compiled to lookups on numbers
 * (protocol-id and category bitmaps, risk ids, CIDR tries, port ranges) and
 * tested against the facts of one flow (its label, addresses, port, server
 * name, risks; alternatives that only look at addresses, ports and L4 are
 * already decidable on the flow's first packet); and, per rule, the deduplication state of each source (a
 * bounded SourceIndex): the first match opens a pending alert that collects
 * further matches for `hold` ms, then the alert is raised; after it, matches
 * from the same source are only counted (as `suppressed`) until `realert`
 * has passed.
 */
import { MAX_PROTOCOL_ID } from '../dpi/generated/protocols';
import type { CidrList } from './cidr';
import type { PolicyRuleConfig, RuleMatch } from './rules-config';
import { globToRegExp } from './rules-config';
import { SourceIndex, SourceOwner } from './source-index';

/** What is known of a flow when rules are evaluated (one reusable object, filled by the detector). */
export class FlowFacts {
  ipVersion = 4;
  addr: Int32Array = new Int32Array(8);
  srcOff = 0;
  dstOff = 4;
  l4 = 0;
  dstPort = 0;
  app = 0;
  master = 0;
  category = 0;
  confidence = 0;
  serverName = '';
  risks: readonly number[] | null = null;
  /** -1 not computed yet, 0 no, 1 yes. */
  private srcInt = -1;
  private dstInt = -1;
  internal: CidrList | null = null;

  reset(): void {
    this.srcInt = -1;
    this.dstInt = -1;
  }

  srcInternal(): boolean {
    if (this.srcInt < 0) this.srcInt = this.internal !== null && this.internal.contains(this.ipVersion, this.addr, this.srcOff) ? 1 : 0;
    return this.srcInt === 1;
  }

  dstInternal(): boolean {
    if (this.dstInt < 0) this.dstInt = this.internal !== null && this.internal.contains(this.ipVersion, this.addr, this.dstOff) ? 1 : 0;
    return this.dstInt === 1;
  }
}

/** True when name ends with suffix (given in lower case), ignoring ASCII case; no allocation. */
function endsWithFolded(name: string, suffix: string): boolean {
  const off = name.length - suffix.length;
  if (off < 0) return false;
  for (let i = 0; i < suffix.length; i++) {
    let c = name.charCodeAt(off + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== suffix.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Host-name globs: "name" and "*.suffix" (the common forms) are compared
 * without regular expressions; other globs ("cdn?.*.example.*") fall back
 * to their RegExp.
 */
class NameMatcher {
  private readonly exact: string[] = [];
  private readonly suffixes: string[] = [];
  private readonly others: RegExp[] = [];

  constructor(globs: readonly string[]) {
    for (const g of globs) {
      const l = g.toLowerCase();
      if (!/[*?]/.test(l)) this.exact.push(l);
      else if (l.startsWith('*') && !/[*?]/.test(l.slice(1))) this.suffixes.push(l.slice(1));
      else this.others.push(globToRegExp(l));
    }
  }

  test(name: string): boolean {
    for (const e of this.exact) if (name.length === e.length && endsWithFolded(name, e)) return true;
    for (const s of this.suffixes) if (endsWithFolded(name, s)) return true;
    for (const re of this.others) if (re.test(name)) return true;
    return false;
  }
}

class CompiledMatch {
  private readonly apps: Uint8Array | null;
  private readonly cats: Uint8Array | null;
  private readonly names: NameMatcher | null;
  private readonly m: RuleMatch;
  /** Decidable from a flow's first packet: no condition on its label, risks or server name. */
  readonly atStart: boolean;

  constructor(m: RuleMatch) {
    this.m = m;
    this.atStart = m.applications === null && m.categories === null && m.risks === null && m.serverNames === null && m.confidence === null;
    if (m.applications !== null) {
      this.apps = new Uint8Array(MAX_PROTOCOL_ID + 1);
      for (const id of m.applications) this.apps[id] = 1;
    } else this.apps = null;
    if (m.categories !== null) {
      this.cats = new Uint8Array(256);
      for (const id of m.categories) this.cats[id] = 1;
    } else this.cats = null;
    this.names = m.serverNameGlobs !== null ? new NameMatcher(m.serverNameGlobs) : null;
  }

  test(x: FlowFacts): boolean {
    const m = this.m;
    if (this.apps !== null && this.apps[x.app] !== 1 && (x.master === 0 || this.apps[x.master] !== 1)) return false;
    if (this.cats !== null && this.cats[x.category] !== 1) return false;
    if (m.confidence !== null && !m.confidence.includes(x.confidence)) return false;
    if (m.l4 !== null && !m.l4.includes(x.l4)) return false;
    if (m.dstPorts !== null) {
      let ok = false;
      for (const [lo, hi] of m.dstPorts) if (x.dstPort >= lo && x.dstPort <= hi) ok = true;
      if (!ok) return false;
    }
    if (m.direction !== null) {
      const s = x.srcInternal();
      const d = x.dstInternal();
      const dir = s ? (d ? 'internal' : 'outbound') : d ? 'inbound' : 'external';
      if (dir !== m.direction) return false;
    }
    if (m.src !== null && !m.src.contains(x.ipVersion, x.addr, x.srcOff)) return false;
    if (m.srcNot !== null && m.srcNot.contains(x.ipVersion, x.addr, x.srcOff)) return false;
    if (m.dst !== null && !m.dst.contains(x.ipVersion, x.addr, x.dstOff)) return false;
    if (m.dstNot !== null && m.dstNot.contains(x.ipVersion, x.addr, x.dstOff)) return false;
    if (m.risks !== null) {
      const r = x.risks;
      if (r === null || !m.risks.some((id) => r.includes(id))) return false;
    }
    if (this.names !== null) {
      if (x.serverName === '' || !this.names.test(x.serverName)) return false;
    }
    return true;
  }
}

export class CompiledRule {
  readonly cfg: PolicyRuleConfig;
  private readonly alternatives: CompiledMatch[];
  private readonly startAlternatives: CompiledMatch[];

  constructor(cfg: PolicyRuleConfig) {
    this.cfg = cfg;
    this.alternatives = cfg.match.map((m) => new CompiledMatch(m));
    this.startAlternatives = this.alternatives.filter((a) => a.atStart);
  }

  /** True when some alternative can match on a flow's first packet (only addresses, ports, L4). */
  get atStart(): boolean {
    return this.startAlternatives.length > 0;
  }

  matches(x: FlowFacts): boolean {
    for (const a of this.alternatives) if (a.test(x)) return true;
    return false;
  }

  /** matches() for a flow that has only its first packet. */
  matchesAtStart(x: FlowFacts): boolean {
    for (const a of this.startAlternatives) if (a.test(x)) return true;
    return false;
  }
}

/** A policy alert collecting matches until it is raised. */
export interface PendingMatch<F> {
  slot: number;
  start: number;
  due: number;
  count: number;
  first: F;
  communityIds: string[];
}

/** Per-rule, per-source deduplication and pending alerts. */
export class RuleTracker<F> implements SourceOwner {
  readonly rule: CompiledRule;
  private lastAlert: Float64Array = new Float64Array(0);
  private suppressed: Uint32Array = new Uint32Array(0);
  readonly pending = new Map<number, PendingMatch<F>>();
  readonly index: SourceIndex;
  /** Matches not alerted because an alert for the same source was raised less than `realert` ago. */
  suppressedTotal = 0;
  private readonly onEvict: (t: RuleTracker<F>, p: PendingMatch<F>) => void;

  constructor(rule: CompiledRule, maxSources: number, seed: number, onEvict: (t: RuleTracker<F>, p: PendingMatch<F>) => void) {
    this.rule = rule;
    this.onEvict = onEvict;
    this.index = new SourceIndex(maxSources, seed, this, 64);
  }

  grow(cap: number): void {
    const lastAlert = new Float64Array(cap).fill(-Infinity);
    lastAlert.set(this.lastAlert);
    this.lastAlert = lastAlert;
    const s = new Uint32Array(cap);
    s.set(this.suppressed);
    this.suppressed = s;
  }

  evicting(slot: number): void {
    const p = this.pending.get(slot);
    if (p !== undefined) this.onEvict(this, p);
  }

  reset(slot: number): void {
    this.lastAlert[slot] = -Infinity;
    this.suppressed[slot] = 0;
    this.pending.delete(slot);
  }

  /**
   * A flow from the source matched at time ts. Returns the new pending
   * alert when this match opens one, else null (added to an open one, or
   * suppressed). first/cid are called only when needed.
   */
  match(ipv: number, addr: Int32Array, off: number, ts: number, realertMs: number, holdMs: number, first: () => F, cid: () => string): PendingMatch<F> | null {
    const slot = this.index.acquire(ipv, addr, off);
    const open = this.pending.get(slot);
    if (open !== undefined) {
      open.count++;
      if (open.communityIds.length < 5) open.communityIds.push(cid());
      return null;
    }
    if (ts - this.lastAlert[slot] < realertMs) {
      this.suppressed[slot]++;
      this.suppressedTotal++;
      return null;
    }
    const p: PendingMatch<F> = { slot, start: ts, due: ts + holdMs, count: 1, first: first(), communityIds: [cid()] };
    this.pending.set(slot, p);
    return p;
  }

  /** Closes the pending alert of p.slot at time now; returns the suppressed count to report. */
  close(p: PendingMatch<F>, now: number): number {
    this.pending.delete(p.slot);
    this.lastAlert[p.slot] = now;
    const s = this.suppressed[p.slot];
    this.suppressed[p.slot] = 0;
    return s;
  }
}
