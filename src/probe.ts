/**
 * The probe: the per-packet pipeline that joins the stages. A PacketSource
 * hands frames to onPacket(); each is filtered (BPF), decoded, and accounted
 * to its flow; finished records go to the RecordSink. Expiry runs on the
 * packet clock once per second of capture time (expire(now) takes the clock
 * as an argument, so live capture can drive it from the wall clock, and a
 * worker thread from its dispatcher's markers: packetClockExpiry false).
 */
import type { BpfFilter } from './capture/bpf-filter';
import { AdmittingHandler } from './capture/admitting-handler';
import { Decoder, DecoderOptions } from './decode/decoder';
import { DecodeResult } from './decode/packet';
import { FlowSink, FlowTable } from './flow/table';
import type { FlowTableOptions } from './flow/expiry';
import { END_REASON_NAMES, EndReason } from './flow/expiry';
import type { RecordSink } from './export/sink';
import { DpiEngine, DpiOptions } from './dpi/engine';

/**
 * Watches flow events without touching packets (the alert detectors): a
 * flow's first packet, the moment its DPI label is final (the engine's
 * classification), each record, and the expiry clock. Must not throw.
 */
export interface FlowObserver {
  flowStarted(table: FlowTable, f: number, tsMs: number): void;
  flowClassified(table: FlowTable, f: number, dpi: DpiEngine): void;
  /** Called after the record was written and before the flow's DPI state is released. */
  flowEnded(table: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void;
  tick(nowMs: number): void;
  /** End of input, after every flow has ended. */
  finish(): void;
}

export interface ProbeOptions {
  decoder?: DecoderOptions;
  flows?: FlowTableOptions;
  filter?: BpfFilter;
  /** false turns application detection off (records say Unknown). */
  dpi?: false | DpiOptions;
  /** Told of flow starts, classifications and ends (e.g. the alert detector). */
  detector?: FlowObserver;
  /**
   * false: onPacket() never runs expiry; the owner calls expire() (a worker
   * thread, on the markers of the dispatcher's packet clock). Default true.
   */
  packetClockExpiry?: boolean;
}

/** Builds the shared DPI tables for `opts` ahead of the first probe (DpiEngine.prepare()). */
export function prepareDpi(opts: DpiOptions): void {
  DpiEngine.prepare(opts);
}

/** How often (in capture time) expiry runs. */
const EXPIRY_INTERVAL_MS = 1000;

export class Probe extends AdmittingHandler implements FlowSink {
  readonly decoder: Decoder;
  readonly table: FlowTable;
  readonly dpi: DpiEngine | null;
  private readonly sink: RecordSink;
  private readonly observer: FlowObserver | null;
  private readonly packetClock: boolean;
  private nextExpiryMs = -Infinity;

  /** Frames accounted to a flow. */
  ipPackets = 0;
  /** Records written. */
  records = 0;

  constructor(sink: RecordSink, opts: ProbeOptions = {}) {
    super(opts.filter);
    this.sink = sink;
    this.decoder = new Decoder(opts.decoder);
    this.table = new FlowTable(this, opts.flows);
    this.dpi = opts.dpi === false ? null : new DpiEngine(this.table, opts.dpi ?? {});
    const obs = opts.detector ?? null;
    this.observer = obs;
    this.packetClock = opts.packetClockExpiry !== false;
    if (!this.packetClock) this.nextExpiryMs = Infinity;
    const dpi = this.dpi;
    if (obs !== null && dpi !== null) dpi.onClassified = (f) => obs.flowClassified(this.table, f, dpi);
  }

  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    if (!this.admit(linkType, buf, off, caplen, wireLen)) return;
    if (tsMs >= this.nextExpiryMs) this.expire(tsMs);
    if (this.decoder.decode(linkType, buf, off, caplen, wireLen, tsMs) !== DecodeResult.Ok) return;
    this.ipPackets++;
    const t = this.table;
    const created = t.created;
    const f = t.update(this.decoder.pkt, tsMs);
    if (t.created !== created && this.observer !== null) this.observer.flowStarted(t, f, tsMs);
    if (this.dpi !== null) this.dpi.onPacket(f, this.decoder.pkt, t.lastDirection, tsMs);
  }

  /** Runs expiry at clock `nowMs` (packet time for files, wall time for live input). */
  expire(nowMs: number): void {
    if (this.packetClock) this.nextExpiryMs = nowMs + EXPIRY_INTERVAL_MS;
    this.table.expire(nowMs);
    this.decoder.frag.expire(nowMs);
    if (this.observer !== null) this.observer.tick(nowMs);
  }

  /** End of input: every live flow is written; fragments still waiting for their first fragment count as orphaned. */
  finish(): void {
    this.table.flushAll();
    this.decoder.frag.expire(Infinity);
    if (this.observer !== null) this.observer.finish();
  }

  flowEnded(table: FlowTable, f: number, reason: EndReason): void {
    this.records++;
    const dpi = this.dpi;
    const final = reason !== EndReason.Active;
    if (dpi !== null) dpi.finalize(f, final);
    this.sink.writeFlow(table, f, reason, dpi);
    if (this.observer !== null) this.observer.flowEnded(table, f, reason, dpi);
    if (dpi !== null && final) dpi.release(f);
  }

  /** End-of-run figures, for the statistics printed on stderr. */
  summary(): ProbeSummary {
    const d = this.decoder;
    const t = this.table;
    const ends: Record<string, number> = {};
    for (let i = 0; i < t.ended.length; i++) if (t.ended[i] > 0) ends[END_REASON_NAMES[i]] = t.ended[i];
    const unsupported: Record<string, number> = {};
    for (const [lt, n] of d.unsupportedLink) unsupported[String(lt)] = n;
    return {
      packets: this.packets,
      bytes: this.bytes,
      filtered: this.filtered,
      ip_packets: this.ipPackets,
      non_ip: d.nonIp,
      unsupported_link_types: unsupported,
      malformed: d.malformedTotal(),
      malformed_by_reason: d.malformedByReason(),
      fragments_reassembled: d.frag.reassembled,
      fragments_orphaned: d.frag.orphanedFragments,
      flows: t.created,
      records: this.records,
      records_by_end_reason: ends,
      dpi_flows_dissected: this.dpi?.dissectedFlows ?? 0,
      dpi_flows_detected: this.dpi?.detectedFlows ?? 0,
    };
  }
}

export interface ProbeSummary {
  packets: number;
  bytes: number;
  filtered: number;
  ip_packets: number;
  non_ip: number;
  unsupported_link_types: Record<string, number>;
  malformed: number;
  malformed_by_reason: Record<string, number>;
  fragments_reassembled: number;
  fragments_orphaned: number;
  flows: number;
  records: number;
  records_by_end_reason: Record<string, number>;
  /** Flows that carried payload into the DPI engine, and those a dissector named. */
  dpi_flows_dissected: number;
  dpi_flows_detected: number;
}
