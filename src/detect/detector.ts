/**
 * The alert detector: the probe's FlowObserver. It reads each flow from the
 * flow table's arrays (numbers, no strings) at three moments, never per
 * packet:
 *  - flow start (first packet): the scan detectors count the destination
 *    port and host for the source, and rules that only look at addresses,
 *    ports and L4 (e.g. "port 3306 from outside the bastions") are decided;
 *  - DPI classification (the engine's label is set, or dissection is done):
 *    the label is counted for the source's evidence and the policy rules are
 *    evaluated;
 *  - each record (interim or final): flows never classified are labelled
 *    from the record (port guesses count as Unknown), the policy rules not
 *    yet matched are evaluated again (whole-flow risks and guessed labels
 *    are known now), and a final TCP record feeds the failed-connection
 *    ratio.
 * So a policy alert comes at the first classification of a matching flow
 * (within its first payload packets), or at the latest with the flow's first
 * record: at its end, or after the active timeout (300 s by default) for a
 * long flow. Each rule fires at most once per flow.
 *
 * Pending alerts are raised on tick() (the probe's expiry clock: packet time
 * for files, wall time live) once their hold time has passed, and all of
 * them at finish(). Strings are built only for alerts.
 */
import type { FlowTable } from '../flow/table';
import { FlowState } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import { EndReason as Reason } from '../flow/expiry';
import { readHead, RecordHead, l4Name } from '../flow/record';
import { addressToString } from '../flow/address';
import { communityId } from '../flow/community-id';
import type { DpiEngine } from '../dpi/engine';
import { CONFIDENCE_NAMES } from '../dpi/confidence';
import { categoryId, categoryName, protocolName } from '../dpi/label';
import { RISK_NAMES } from '../dpi/generated/protocols';
import type { FlowObserver } from '../probe';
import { Alert, AlertApplication, AlertFlow, commonValues, formatDuration, renderTemplate, SEVERITY_RANK } from './alert';
import type { AlertsConfig, ScanDetectorConfig, Severity } from './rules-config';
import { OBSERVED_CONFIDENCE } from './rules-config';
import { CompiledRule, FlowFacts, PendingMatch, RuleTracker } from './policy';
import { FAILED_CONNECTIONS, HOST_SWEEP, PendingScan, PORT_SCAN, ScanTracker } from './scan';
import { mix32 } from './distinct';

const TCP = 6;

export interface DetectorStats {
  /** Sources tracked by the scan detectors now, and evicted to stay within max_sources. */
  sources: number;
  sourcesEvicted: number;
  /** Alerts raised per rule (scan alerts under their first trigger). */
  alerts: Record<string, number>;
  /** Policy matches not alerted because of deduplication (per rule). */
  suppressed: Record<string, number>;
}

export class AlertDetector implements FlowObserver {
  private readonly cfg: AlertsConfig;
  private readonly emit: (a: Alert) => void;
  private readonly scan: ScanTracker | null;
  private readonly trackers: RuleTracker<AlertFlow>[];
  private readonly head = new RecordHead();
  private readonly facts = new FlowFacts();
  /** Per flow slot: low 32 bits of the flow id the marks belong to, and the marks (bit 0: label counted; bit 1+i: rule i fired). */
  private flowTag: Uint32Array = new Uint32Array(0);
  private marks: Uint32Array = new Uint32Array(0);
  private readonly words: number;
  private clock = 0;
  private nextDue = Infinity;
  private readonly alertCounts: Record<string, number> = {};
  /** Some rule can match on a flow's first packet. */
  private readonly startRules: boolean;
  private finished = false;

  constructor(cfg: AlertsConfig, emit: (a: Alert) => void, seed = (Math.random() * 0x7fffffff) | 0) {
    this.cfg = cfg;
    this.emit = emit;
    const s = cfg.scans;
    const anyScan = s.portScan.enabled || s.hostSweep.enabled || s.failedConnections.enabled;
    this.scan = anyScan ? new ScanTracker(s, cfg.windowMs, cfg.realertMs, cfg.holdMs, cfg.maxSources, seed,
      (p, now) => this.raiseScan(p, now), (due) => {
        if (due < this.nextDue) this.nextDue = due;
      }) : null;
    this.trackers = cfg.rules.map((r, i) => new RuleTracker<AlertFlow>(new CompiledRule(r), cfg.maxRuleSources, mix32(seed + i + 1),
      (t, p) => this.raisePolicy(t, p, this.clock)));
    this.words = (cfg.rules.length + 1 + 31) >>> 5;
    this.facts.internal = cfg.internal;
    this.startRules = this.trackers.some((t) => t.rule.atStart);
  }

  // ---- FlowObserver ----------------------------------------------------------

  flowStarted(t: FlowTable, f: number, tsMs: number): void {
    if (tsMs > this.clock) this.clock = tsMs;
    this.sync(t, f);
    const scan = this.scan;
    if (scan !== null) {
      const h = readHead(t, f, this.head);
      if (this.scanned(h.ipVersion, t.keyAddr, h.srcAddrOff)) {
        const a = t.keyAddr;
        const d = h.dstAddrOff;
        const host = h.ipVersion === 4 ? a[d] : mix32(mix32(mix32(a[d] ^ a[d + 1]) ^ a[d + 2]) ^ a[d + 3]);
        const port = h.proto === 6 || h.proto === 17 || h.proto === 132 ? h.dstPort : -1;
        this.setCurrent(t, f, null);
        scan.flowStarted(h.ipVersion, a, h.srcAddrOff, port, host, tsMs, this.currentCid);
      }
    }
    if (this.startRules) this.evaluate(t, f, null, tsMs, true);
    if (this.clock >= this.nextDue) this.raiseDue(this.clock);
  }

  flowClassified(t: FlowTable, f: number, dpi: DpiEngine): void {
    this.sync(t, f);
    const app = dpi.app[f];
    if (app !== 0 && (this.marks[f * this.words] & 1) === 0) {
      this.marks[f * this.words] |= 1;
      this.countLabel(t, f, (app << 16) | dpi.master[f], t.clockMs);
    }
    if (this.trackers.length > 0) this.evaluate(t, f, dpi, t.clockMs, false);
  }

  flowEnded(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    const now = t.clockMs;
    if (now > this.clock) this.clock = now;
    this.sync(t, f);
    if ((this.marks[f * this.words] & 1) === 0) {
      this.marks[f * this.words] |= 1;
      const observed = dpi !== null && dpi.app[f] !== 0 && OBSERVED_CONFIDENCE.includes(dpi.confidence[f]);
      this.countLabel(t, f, observed ? (dpi.app[f] << 16) | dpi.master[f] : 0, now);
    }
    if (this.trackers.length > 0) this.evaluate(t, f, dpi, now, false);
    const st = t.state[f];
    if (this.scan !== null && reason !== Reason.Active && (t.keyMeta[f] & 0xff) === TCP && (st & FlowState.SynC2S) !== 0) {
      const h = readHead(t, f, this.head);
      if (this.scanned(h.ipVersion, t.keyAddr, h.srcAddrOff)) {
        this.setCurrent(t, f, dpi);
        this.scan.connectionEnded(h.ipVersion, t.keyAddr, h.srcAddrOff, (st & FlowState.SynS2C) === 0, now, this.currentCid);
      }
    }
    if (this.clock >= this.nextDue) this.raiseDue(this.clock);
  }

  tick(nowMs: number): void {
    if (nowMs > this.clock) this.clock = nowMs;
    if (this.clock >= this.nextDue) this.raiseDue(this.clock);
  }

  /** End of input: every pending alert is raised now. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.raiseDue(Infinity);
  }

  // ---- state -----------------------------------------------------------------

  stats(): DetectorStats {
    const suppressed: Record<string, number> = {};
    for (const t of this.trackers) if (t.suppressedTotal > 0) suppressed[t.rule.cfg.name] = t.suppressedTotal;
    return {
      sources: this.scan?.index.count ?? 0,
      sourcesEvicted: this.scan?.index.evictions ?? 0,
      alerts: { ...this.alertCounts },
      suppressed,
    };
  }

  /** The detector's clock: the latest event time it was given. */
  get now(): number {
    return this.clock;
  }

  private scanned(ipv: number, a: Int32Array, off: number): boolean {
    const s = this.cfg.scans;
    return !s.allow.contains(ipv, a, off) && (s.sources === null || s.sources.contains(ipv, a, off));
  }

  private sync(t: FlowTable, f: number): void {
    const w = this.words;
    if (f >= this.flowTag.length) {
      let n = Math.max(1024, this.flowTag.length);
      while (n <= f) n *= 2;
      const tag = new Uint32Array(n);
      tag.set(this.flowTag);
      this.flowTag = tag;
      const m = new Uint32Array(n * w);
      m.set(this.marks);
      this.marks = m;
    }
    const id = t.flowId[f] >>> 0;
    if (this.flowTag[f] !== id) {
      this.flowTag[f] = id;
      this.marks.fill(0, f * w, (f + 1) * w);
    }
  }

  private countLabel(t: FlowTable, f: number, label: number, now: number): void {
    if (this.scan === null) return;
    const h = readHead(t, f, this.head);
    this.scan.labelled(h.ipVersion, t.keyAddr, h.srcAddrOff, label, now);
  }

  /** Tests the rules not yet fired for flow f (atStart: only what a first packet can decide). */
  private evaluate(t: FlowTable, f: number, dpi: DpiEngine | null, now: number, atStart: boolean): void {
    const h = readHead(t, f, this.head);
    const x = this.facts;
    x.reset();
    x.ipVersion = h.ipVersion;
    x.addr = t.keyAddr;
    x.srcOff = h.srcAddrOff;
    x.dstOff = h.dstAddrOff;
    x.l4 = h.proto;
    x.dstPort = h.dstPort;
    x.app = dpi !== null ? dpi.app[f] : 0;
    x.master = dpi !== null ? dpi.master[f] : 0;
    x.confidence = dpi !== null ? dpi.confidence[f] : 0;
    x.category = categoryId(x.app, x.master);
    const fd = dpi?.flow(f);
    const sn = fd?.getMeta('server_name');
    x.serverName = typeof sn === 'string' ? sn : '';
    x.risks = fd?.risks ?? null;
    this.setCurrent(t, f, dpi);
    const base = f * this.words;
    for (let i = 0; i < this.trackers.length; i++) {
      const bit = i + 1;
      const wi = base + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if ((this.marks[wi] & mask) !== 0) continue;
      const tr = this.trackers[i];
      if (atStart ? !tr.rule.atStart || !tr.rule.matchesAtStart(x) : !tr.rule.matches(x)) continue;
      this.marks[wi] |= mask;
      const p = tr.match(h.ipVersion, t.keyAddr, h.srcAddrOff, now, Math.max(this.cfg.realertMs, this.cfg.windowMs), this.cfg.holdMs,
        this.currentFlow, this.currentCid);
      if (p !== null && p.due < this.nextDue) this.nextDue = p.due;
    }
  }

  /** The flow the evidence callbacks below describe (set before each call that may use them; no closure per flow). */
  private curTable: FlowTable | null = null;
  private curFlow = 0;
  private curDpi: DpiEngine | null = null;
  private readonly currentCid = (): string => this.communityIdOf(this.curTable as FlowTable, this.curFlow);
  private readonly currentFlow = (): AlertFlow => this.flowOf(this.curTable as FlowTable, this.curFlow, this.curDpi);

  private setCurrent(t: FlowTable, f: number, dpi: DpiEngine | null): void {
    this.curTable = t;
    this.curFlow = f;
    this.curDpi = dpi;
  }

  private communityIdOf(t: FlowTable, f: number): string {
    const h = readHead(t, f, this.head);
    return communityId(h.ipVersion === 6 ? 6 : 4, t.keyAddr, h.srcAddrOff, t.keyAddr, h.dstAddrOff, h.proto, h.srcPort, h.dstPort, h.icmpType, h.icmpCode);
  }

  private flowOf(t: FlowTable, f: number, dpi: DpiEngine | null): AlertFlow {
    const h = readHead(t, f, this.head);
    const app = dpi !== null ? dpi.app[f] : 0;
    const master = dpi !== null ? dpi.master[f] : 0;
    const fd = dpi?.flow(f);
    const sn = fd?.getMeta('server_name');
    return {
      l4: l4Name(h.proto),
      src_port: h.srcPort,
      dst_addr: addressToString(h.ipVersion, t.keyAddr, h.dstAddrOff),
      dst_port: h.dstPort,
      protocol_name: protocolName(app, master),
      category: categoryName(app, master),
      confidence: CONFIDENCE_NAMES[dpi !== null ? dpi.confidence[f] : 0],
      server_name: typeof sn === 'string' ? sn : '',
      risks: (fd?.risks ?? []).map((r) => RISK_NAMES[r] ?? String(r)),
      community_id: this.communityIdOf(t, f),
    };
  }

  // ---- raising ---------------------------------------------------------------

  private raiseDue(now: number): void {
    let next = Infinity;
    const scan = this.scan;
    if (scan !== null) {
      for (const p of [...scan.pending.values()]) {
        if (p.due <= now) this.raiseScan(p, now);
        else if (p.due < next) next = p.due;
      }
    }
    for (const t of this.trackers) {
      for (const p of [...t.pending.values()]) {
        if (p.due <= now) this.raisePolicy(t, p, now);
        else if (p.due < next) next = p.due;
      }
    }
    this.nextDue = next;
  }

  private applicationsOf(ipv: number, addr: Int32Array, off: number): { apps: AlertApplication[]; labelled: number; slot: number } {
    const scan = this.scan;
    const slot = scan === null ? -1 : scan.index.find(ipv, addr, off);
    if (scan === null || slot < 0) return { apps: [], labelled: 0, slot: -1 };
    const apps = scan.labels.top(slot).map((l) => ({ name: l.label === 0 ? 'Unknown' : protocolName(l.label >>> 16, l.label & 0xffff), flows: l.flows }));
    return { apps, labelled: scan.labels.total[slot], slot };
  }

  private raiseScan(p: PendingScan, when: number): void {
    const scan = this.scan as ScanTracker;
    const now = when < 0 || when === Infinity ? this.clock : when;
    const s = p.slot;
    scan.closed(p, now);
    const idx = scan.index;
    const ipv = idx.ipVersion[s];
    const src = addressToString(ipv, idx.addr, s << 2);
    const c = this.cfg.scans;
    const byName: Record<string, ScanDetectorConfig> = { [PORT_SCAN]: c.portScan, [HOST_SWEEP]: c.hostSweep, [FAILED_CONNECTIONS]: c.failedConnections };
    const first = byName[p.triggers[0]];
    let severity: Severity = first.severity;
    for (const t of p.triggers) if (SEVERITY_RANK[byName[t].severity] > SEVERITY_RANK[severity]) severity = byName[t].severity;
    const ports = scan.portCount(s);
    const hosts = scan.hostCount(s);
    const attempts = scan.attempts[s];
    const failed = scan.failed[s];
    const flows = scan.flows[s];
    const { apps, labelled } = this.applicationsOf(ipv, idx.addr, s << 2);
    const start = scan.windowStart[s];
    const alert: Alert = {
      rule: p.triggers[0],
      severity,
      src_addr: src,
      window_start: Math.floor(start),
      window_end: Math.floor(Math.min(now, start + this.cfg.windowMs)),
      raised_at: Math.floor(now),
      message: '',
      kind: 'scan',
      triggers: p.triggers.slice(),
      counts: { flows, dst_ports: ports, dst_hosts: hosts, tcp_attempts: attempts, tcp_failed: failed, unlabelled: Math.max(0, flows - labelled) },
      applications: apps,
      community_ids: p.communityIds.slice(0, 5),
    };
    if (scan.ports.approximate(s) || scan.hosts.approximate(s)) alert.approximate = true;
    const count = p.triggers[0] === PORT_SCAN ? ports : p.triggers[0] === HOST_SWEEP ? hosts : failed;
    alert.message = renderTemplate(first.message, {
      ...commonValues(alert, count),
      window: formatDuration(this.cfg.windowMs),
      ports: scan.ports.saturated(s) ? `${ports}+` : ports,
      hosts: scan.hosts.saturated(s) ? `${hosts}+` : hosts,
      failed,
      attempts,
      failed_pct: attempts > 0 ? Math.round((100 * failed) / attempts) : 0,
      triggers: p.triggers.join(', '),
    });
    this.deliver(alert);
  }

  private raisePolicy(t: RuleTracker<AlertFlow>, p: PendingMatch<AlertFlow>, when: number): void {
    const now = when === Infinity ? this.clock : when;
    const suppressed = t.close(p, now);
    const idx = t.index;
    const ipv = idx.ipVersion[p.slot];
    const src = addressToString(ipv, idx.addr, p.slot << 2);
    const r = t.rule.cfg;
    let { apps } = this.applicationsOf(ipv, idx.addr, p.slot << 2);
    if (apps.length === 0) apps = [{ name: p.first.protocol_name, flows: p.count }];
    const alert: Alert = {
      rule: r.name,
      severity: r.severity,
      src_addr: src,
      window_start: Math.floor(p.start),
      window_end: Math.floor(now),
      raised_at: Math.floor(now),
      message: '',
      kind: 'policy',
      counts: { flows: p.count, ...(suppressed > 0 ? { suppressed } : {}) },
      applications: apps,
      community_ids: p.communityIds.slice(0, 5),
      flow: p.first,
    };
    const fl = p.first;
    alert.message = renderTemplate(r.message, {
      ...commonValues(alert, p.count),
      window: formatDuration(this.cfg.windowMs),
      protocol_name: fl.protocol_name,
      category: fl.category,
      dst_addr: fl.dst_addr,
      dst_port: fl.dst_port,
      server_name: fl.server_name || '-',
      risks: fl.risks.join(', ') || '-',
      l4: fl.l4,
      confidence: fl.confidence,
    });
    this.deliver(alert);
  }

  private deliver(a: Alert): void {
    this.alertCounts[a.rule] = (this.alertCounts[a.rule] ?? 0) + 1;
    try {
      this.emit(a);
    } catch {
      // A listener's failure must not reach the packet path.
    }
  }
}
