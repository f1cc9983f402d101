/**
 * The DPI engine: runs the registry's dissectors over the first payload
 * packets of each flow and keeps each flow's label, confidence, metadata and
 * risks until its record is written.
 *
 * Per packet (after the flow table has accounted it):
 *  - flows already classified and complete cost two typed-array reads;
 *  - protocols without ports (ICMP, IGMP, ESP, GRE, OSPF ...) are labelled
 *    from the IP protocol number on their first packet;
 *  - TCP segments are put in order (retransmissions skipped, up to
 *    MAX_PENDING early segments held until the gap fills); stream dissectors
 *    see each direction's reassembled first 16 KiB (in buffers that closed
 *    flows hand on to later ones);
 *  - on a flow's first payload packet, the dissectors whose first-packet
 *    declarations it does not match are excluded without being called
 *    (prefilter.ts);
 *  - the dissector hinted by the server port (then the client port) runs
 *    first, then every other dissector for the transport that has not
 *    excluded itself, in registry order; a dissector whose budget is spent
 *    is excluded; once one detects, only it keeps running (for metadata)
 *    until it says Done or runs out of budget;
 *  - when every candidate is excluded, or the flow's packet budget is spent,
 *    the flow is left to the guess made when its record is written.
 * Host names (SNI, Host, DNS query) refine a label to Master.App through the
 * host classifier. A label guessed from the port or an address list is never
 * reported as DPI: confidence says how each label was reached.
 */
import type { DecodedPacket } from '../decode/packet';
import { IpProto } from '../decode/packet';
import type { FlowTable } from '../flow/table';
import { readHead, RecordHead } from '../flow/record';
import { Cursor } from './cursor';
import { Dir, DissectContext, FIRST_BYTE_MIN_LEN, Verdict } from './dissector';
import { FlowDpi, MAX_PENDING, STREAM_CAP } from './flow-dpi';
import type { MetaField, MetaValue } from './meta';
import { META_FIELDS } from './meta';
import { P, Risk } from './generated/protocols';
import { HostClassifier } from './classify/hosts';
import { IpClassifier } from './classify/ip-trie';
import { ipProtocolApp } from './ip-protocols';
import { Registry } from './registry';
import type { FirstPacketFilter } from './prefilter';
import { FINAL_RISKS, FinalRisk, finalRisks } from './risks';
import { EndpointCache } from './endpoint-cache';
import { Confidence, CONFIDENCE_NAMES } from './confidence';
import { torLikeHost } from './classify/dga';
import { grown } from '../util/typed-grow';

export { Confidence, CONFIDENCE_NAMES };

const enum Status {
  /** Dissection may still run. */
  Open = 0,
  /** Nothing more to learn from packets. */
  Closed = 1,
}

/** Payload packets per flow after which dissection stops (nDPI's defaults are of this order). */
export const TCP_FLOW_BUDGET = 40;
export const UDP_FLOW_BUDGET = 24;

/** Masters whose host name may refine the label to Master.App. */
const HOST_REFINED = new Set<number>([
  P.HTTP, P.TLS, P.QUIC, P.DNS, P.DTLS, P.HTTP_Proxy, P.HTTP_Connect, P.IMAPS, P.POPS, P.SMTPS, P.FTPS, P.MDNS,
]);

/** Most released per-flow states kept for reuse. */
const SPARE_FLOW_DPI = 1024;

/** Size of a direction's stream buffer when it is created (it doubles as needed, up to STREAM_CAP). */
const STREAM_INITIAL = 2048;
/** Most stream buffers of STREAM_INITIAL bytes kept for reuse by later flows. */
const SPARE_STREAMS = 256;
/**
 * New stream buffers of STREAM_INITIAL bytes are cut from slabs of this many
 * (one allocation instead of one per flow; a slab lives while any of its
 * buffers does, so it is kept small).
 */
const STREAM_SLAB = 16;

/** Endpoints (address and port) remembered from classified flows, for the cache label. */
export const ENDPOINT_CACHE_SIZE = 65536;

/**
 * Labels worth remembering by endpoint: peer-to-peer and call protocols,
 * whose later flows between the same address:port pairs often carry no
 * recognisable payload (media after STUN, BitTorrent peers).
 */
function cacheable(app: number, master: number): boolean {
  return master === P.STUN || app === P.STUN || app === P.BitTorrent || master === P.DTLS && app !== P.DTLS;
}

let builtinHosts: HostClassifier | undefined;
let builtinIps: IpClassifier | undefined;

/** The classifiers built from the compiled-in lists, shared by every engine that is given no others. */
function builtinLists(): { hosts: HostClassifier; ips: IpClassifier } {
  builtinHosts ??= new HostClassifier();
  builtinIps ??= new IpClassifier();
  return { hosts: builtinHosts, ips: builtinIps };
}

export interface DpiOptions {
  registry?: Registry;
  hosts?: HostClassifier;
  ips?: IpClassifier;
}

class Context implements DissectContext {
  buf: Buffer = Buffer.alloc(0);
  off = 0;
  len = 0;
  readonly cur = new Cursor();
  dir: Dir = Dir.C2S;
  l4 = 0;
  srcPort = 0;
  dstPort = 0;
  clientPort = 0;
  serverPort = 0;
  dirIndex = 0;
  flowIndex = 0;
  c2sPackets = 0;
  s2cPackets = 0;
  tsMs = 0;
  ipVersion = 4;
  srcAddr: Int32Array = new Int32Array(8);
  srcAddrOff = 0;
  dstAddr: Int32Array = new Int32Array(8);
  dstAddrOff = 4;
  flow!: FlowDpi;
  engine!: DpiEngine;
  slot = 0;
  index = 0;
  /** Fields set by the running dissector that it did not declare (contract tests read this). */
  undeclared: string[] = [];
  declared: readonly string[] = [];

  get state(): unknown {
    return this.flow.stateOf(this.index);
  }

  set state(v: unknown) {
    this.flow.setState(this.index, v);
  }

  detect(app: number, master = 0): void {
    this.engine.setLabel(this.slot, app, master, Confidence.Dpi);
  }

  set(field: MetaField, value: MetaValue, overwrite = false): void {
    if (!this.declared.includes(field)) this.undeclared.push(field);
    if (typeof value === 'string' && value.length > 1024) value = value.slice(0, 1024);
    if (!this.flow.setMeta(field, value, overwrite)) return;
    if (field === 'server_name' || field === 'tls_server_names') this.engine.refineByHost(this.slot);
  }

  risk(risk: number, info?: string): void {
    this.flow.addRisk(risk, info);
  }
}

function isZero(buf: Buffer, off: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (buf[off + i] !== 0) return false;
  return true;
}

export class DpiEngine {
  readonly registry: Registry;
  hosts: HostClassifier;
  ips: IpClassifier;
  private readonly table: FlowTable;
  private readonly ctx = new Context();
  private readonly head = new RecordHead();
  /** The segment being dissected is its direction's first: stream dissectors read it in place. */
  private borrowed = false;

  private cap = 0;
  private flowIdOf = new Float64Array(0);
  private status = new Uint8Array(0);
  /** Label per slot: app and master protocol ids, confidence. */
  app = new Uint16Array(0);
  master = new Uint16Array(0);
  confidence = new Uint8Array(0);
  private flows: (FlowDpi | undefined)[] = [];
  /** Released per-flow states kept for reuse (fewer allocations and collections). */
  private readonly spare: FlowDpi[] = [];
  /** Stream buffers of STREAM_INITIAL bytes given back by closed flows (dissectors keep no reference to ctx.buf). */
  private readonly spareStreams: Buffer[] = [];
  /** The slab new STREAM_INITIAL buffers are cut from, and how many it has given. */
  private slab: Buffer | null = null;
  private slabUsed = 0;
  /** Endpoint (transport, address, port) -> app << 16 | master of the flow last classified there. */
  private readonly endpoints = new EndpointCache(ENDPOINT_CACHE_SIZE);

  /** Told when a dissector labels flow f and when its dissection is done (label final); may be told twice. */
  onClassified: ((f: number) => void) | null = null;

  /** Flows that reached dissection, and how they ended up (for the run summary). */
  dissectedFlows = 0;
  detectedFlows = 0;

  constructor(table: FlowTable, opts: DpiOptions = {}) {
    this.table = table;
    this.registry = opts.registry ?? Registry.default();
    this.hosts = opts.hosts ?? builtinLists().hosts;
    this.ips = opts.ips ?? builtinLists().ips;
    this.ctx.engine = this;
  }

  /**
   * Builds the shared tables an engine given `opts` will use (the default
   * registry, the compiled-in lists) ahead of the first engine, e.g. while
   * another thread starts.
   */
  static prepare(opts: DpiOptions = {}): void {
    if (opts.registry === undefined) Registry.default();
    if (opts.hosts === undefined || opts.ips === undefined) builtinLists();
  }

  private grow(n: number): void {
    let cap = Math.max(this.cap, 1024);
    while (cap <= n) cap *= 2;
    this.flowIdOf = grown(this.flowIdOf, cap);
    this.status = grown(this.status, cap);
    this.app = grown(this.app, cap);
    this.master = grown(this.master, cap);
    this.confidence = grown(this.confidence, cap);
    this.cap = cap;
  }

  /** Makes slot f describe the flow now in it (a new flow, or a reused slot). */
  private sync(f: number): void {
    if (f >= this.cap) this.grow(f);
    const id = this.table.flowId[f];
    if (this.flowIdOf[f] === id) return;
    this.flowIdOf[f] = id;
    this.status[f] = Status.Open;
    this.app[f] = 0;
    this.master[f] = 0;
    this.confidence[f] = Confidence.Unknown;
    this.flows[f] = undefined;
  }

  /** The flow's DPI state, or undefined when it never carried payload. */
  flow(f: number): FlowDpi | undefined {
    return f < this.cap && this.flowIdOf[f] === this.table.flowId[f] ? this.flows[f] : undefined;
  }

  /** Dissects one packet of flow f (the flow table's slot for it); dir 0 is client to server. */
  onPacket(f: number, p: DecodedPacket, dir: number, tsMs: number): void {
    if (f >= this.cap || this.flowIdOf[f] !== this.table.flowId[f]) this.sync(f);
    if (this.status[f] !== Status.Open) return;
    const proto = p.proto;
    if (proto !== IpProto.Tcp && proto !== IpProto.Udp) {
      const app = ipProtocolApp(proto);
      if (app !== 0) this.setLabel(f, app, 0, Confidence.Dpi);
      this.status[f] = Status.Closed;
      return;
    }
    let len = p.payloadLen;
    if (len === 0) return;
    let fd = this.flows[f];
    if (fd === undefined) {
      fd = this.newFlowDpi();
      this.flows[f] = fd;
      this.dissectedFlows++;
    }
    if (fd.excluded === null) {
      this.status[f] = Status.Closed;
      return;
    }
    let off = p.payloadOff;
    if (proto === IpProto.Tcp) {
      // A few zero bytes on a segment without PSH are link padding counted as payload by some
      // stacks and capture paths, not data: they would shadow the real segment at the same sequence number.
      if (len <= 6 && (p.tcpFlags & 0x08) === 0 && isZero(p.buf, off, len)) return;
      const seq = p.tcpSeq;
      const next = dir === 0 ? fd.nextSeq0 : fd.nextSeq1;
      if (next !== -1) {
        const d = (seq - next) | 0;
        if (d < 0) {
          if (d + len <= 0) return; // retransmission
          off -= d;
          len += d;
        } else if (d > 0) {
          this.hold(fd, dir, seq, p.buf, off, len);
          this.flushGap(f, fd, dir, p, tsMs);
          return;
        }
      }
      this.setNextSeq(fd, dir, (seq + p.payloadLen) | 0);
      this.dissectSegment(f, fd, dir, p, p.buf, off, len, tsMs);
      this.drainPending(f, fd, dir, p, tsMs);
    } else {
      this.dissectSegment(f, fd, dir, p, p.buf, off, len, tsMs);
    }
  }

  private setNextSeq(fd: FlowDpi, dir: number, next: number): void {
    if (dir === 0) fd.nextSeq0 = next >>> 0;
    else fd.nextSeq1 = next >>> 0;
  }

  private hold(fd: FlowDpi, dir: number, seq: number, buf: Buffer, off: number, len: number): void {
    let q = dir === 0 ? fd.pending0 : fd.pending1;
    if (q === null) {
      q = [];
      if (dir === 0) fd.pending0 = q;
      else fd.pending1 = q;
    }
    if (q.length >= MAX_PENDING) return;
    for (const s of q) if (s.seq === seq) return;
    q.push({ seq: seq >>> 0, data: Buffer.from(buf.subarray(off, off + len)) });
  }

  /** Segments are missing before held ones; after MAX_PENDING held, give up on the gap and go on from the earliest. */
  private flushGap(f: number, fd: FlowDpi, dir: number, p: DecodedPacket, tsMs: number): void {
    const q = dir === 0 ? fd.pending0 : fd.pending1;
    if (q === null || q.length < MAX_PENDING) return;
    let min = q[0];
    const next = dir === 0 ? fd.nextSeq0 : fd.nextSeq1;
    for (const s of q) if (((s.seq - next) | 0) < ((min.seq - next) | 0)) min = s;
    this.setNextSeq(fd, dir, min.seq);
    this.drainPending(f, fd, dir, p, tsMs);
  }

  private drainPending(f: number, fd: FlowDpi, dir: number, p: DecodedPacket, tsMs: number): void {
    for (;;) {
      const q = dir === 0 ? fd.pending0 : fd.pending1;
      if (q === null || q.length === 0 || this.status[f] !== Status.Open) return;
      const next = dir === 0 ? fd.nextSeq0 : fd.nextSeq1;
      let found = -1;
      for (let i = 0; i < q.length; i++) {
        const d = (q[i].seq - next) | 0;
        if (d <= 0) {
          found = i;
          break;
        }
      }
      if (found < 0) return;
      const s = q.splice(found, 1)[0];
      const d = (s.seq - next) | 0;
      if (d + s.data.length <= 0) continue;
      const data = s.data.subarray(-d);
      this.setNextSeq(fd, dir, (next + data.length) | 0);
      this.dissectSegment(f, fd, dir, p, data, 0, data.length, tsMs);
    }
  }

  /** A stream buffer of STREAM_INITIAL bytes: one given back by a closed flow, or a new one cut from the slab. */
  private initialStream(): Buffer {
    const spare = this.spareStreams.pop();
    if (spare !== undefined) return spare;
    if (this.slab === null || this.slabUsed === STREAM_SLAB) {
      this.slab = Buffer.allocUnsafeSlow(STREAM_INITIAL * STREAM_SLAB);
      this.slabUsed = 0;
    }
    const at = this.slabUsed++ * STREAM_INITIAL;
    return this.slab.subarray(at, at + STREAM_INITIAL);
  }

  private appendStream(fd: FlowDpi, dir: number, buf: Buffer, off: number, len: number): void {
    let s = dir === 0 ? fd.stream0 : fd.stream1;
    const used = dir === 0 ? fd.streamLen0 : fd.streamLen1;
    const n = Math.min(len, STREAM_CAP - used);
    if (n <= 0) return;
    if (s === null || s.length < used + n) {
      let size = s === null ? STREAM_INITIAL : s.length;
      while (size < used + n) size *= 2;
      const grown = size === STREAM_INITIAL ? this.initialStream() : Buffer.allocUnsafe(Math.min(size, STREAM_CAP));
      if (s !== null) {
        s.copy(grown, 0, 0, used);
        this.keepStream(s);
      }
      s = grown;
      if (dir === 0) fd.stream0 = s;
      else fd.stream1 = s;
    }
    buf.copy(s, used, off, off + n);
    if (dir === 0) fd.streamLen0 = used + n;
    else fd.streamLen1 = used + n;
  }

  /**
   * Dissects one in-order segment (TCP) or datagram (UDP). A direction's
   * first TCP segment is not copied into the stream buffer up front: stream
   * dissectors read it where it lies, and it is copied only when the flow
   * still wants its stream afterwards (most flows are classified by then).
   */
  private dissectSegment(f: number, fd: FlowDpi, dir: number, p: DecodedPacket, buf: Buffer, off: number, len: number, tsMs: number): void {
    const tcp = p.proto === IpProto.Tcp;
    if (dir === 0) fd.c2s++;
    else fd.s2c++;
    if (!tcp || !this.registry.hasStream || !this.wantsStream(fd, tcp)) {
      this.dissectWith(f, fd, dir, p, buf, off, len, tsMs);
      return;
    }
    if ((dir === 0 ? fd.streamLen0 : fd.streamLen1) !== 0) {
      this.appendStream(fd, dir, buf, off, len);
      this.dissectWith(f, fd, dir, p, buf, off, len, tsMs);
      return;
    }
    this.borrowed = true;
    this.dissectWith(f, fd, dir, p, buf, off, len, tsMs);
    this.borrowed = false;
    if (this.status[f] === Status.Open && this.wantsStream(fd, tcp)) this.appendStream(fd, dir, buf, off, len);
  }

  private dissectWith(f: number, fd: FlowDpi, dir: number, p: DecodedPacket, buf: Buffer, off: number, len: number, tsMs: number): void {
    const reg = this.registry;
    const tcp = p.proto === IpProto.Tcp;
    const index = fd.payloadPkts - 1;
    const dirIndex = (dir === 0 ? fd.c2s : fd.s2c) - 1;

    const ctx = this.ctx;
    // dir 0 is client to server, so the packet's ports say which end is which.
    const clientPort = dir === 0 ? p.srcPort : p.dstPort;
    const serverPort = dir === 0 ? p.dstPort : p.srcPort;
    ctx.flow = fd;
    ctx.slot = f;
    ctx.dir = dir as Dir;
    ctx.l4 = p.proto;
    ctx.srcPort = p.srcPort;
    ctx.dstPort = p.dstPort;
    ctx.clientPort = clientPort;
    ctx.serverPort = serverPort;
    ctx.dirIndex = dirIndex;
    ctx.flowIndex = index;
    ctx.c2sPackets = fd.c2s;
    ctx.s2cPackets = fd.s2c;
    ctx.tsMs = tsMs;
    ctx.ipVersion = p.ipVersion;
    ctx.srcAddr = p.addr;
    ctx.srcAddrOff = 0;
    ctx.dstAddr = p.addr;
    ctx.dstAddrOff = 4;

    if (fd.detector >= 0) {
      const i = fd.detector;
      const v = this.run(i, fd, dir, buf, off, len, tcp);
      if (v === Verdict.Done || v === Verdict.Exclude || fd.payloadPkts >= reg.budgetOf[i]) this.close(f, fd);
      return;
    }

    const ex = fd.excluded;
    if (ex === null) return;
    // The flow's first packet: first bytes exclude up front (a short packet by
    // the short declarations), other declarations are checked per candidate.
    const filter = tcp ? reg.tcpFilter : reg.udpFilter;
    const first = index === 0 && len >= FIRST_BYTE_MIN_LEN;
    if (first) filter.excludeByFirstByte(ex, buf[off]);
    else if (index === 0 && len > 0) filter.excludeShortByFirstByte(ex, buf[off]);
    const rules = first ? filter : null;
    const hints = tcp ? reg.tcpHint : reg.udpHint;
    const h1 = hints[serverPort];
    const h2 = hints[clientPort];
    if (h1 >= 0 && this.tryOne(f, fd, h1, dir, buf, off, len, tcp, rules)) return;
    if (h2 >= 0 && h2 !== h1 && this.tryOne(f, fd, h2, dir, buf, off, len, tcp, rules)) return;
    const candidates = tcp ? reg.tcpCandidates : reg.udpCandidates;
    const budgetOf = reg.budgetOf;
    const words = reg.words;
    // The sweep, in registry order over the dissectors not excluded yet: tryOne()
    // written out, as this loop runs millions of times on flows nothing claims.
    for (let w = 0; w < words; w++) {
      let open = candidates[w] & ~ex[w];
      while (open !== 0) {
        const bit = open & -open;
        open ^= bit;
        const i = (w << 5) | (31 - Math.clz32(bit));
        if (i === h1 || i === h2) continue;
        if (rules !== null && rules.ruled[i] === 1 && !rules.allows(i, buf, off, len)) {
          ex[w] |= bit;
          continue;
        }
        const v = this.run(i, fd, dir, buf, off, len, tcp);
        if (v === Verdict.Exclude) ex[w] |= bit;
        else if (v === Verdict.Continue) {
          if (fd.payloadPkts >= budgetOf[i]) ex[w] |= bit;
        } else {
          this.detected(f, fd, i, v);
          return;
        }
      }
    }
    const budget = tcp ? TCP_FLOW_BUDGET : UDP_FLOW_BUDGET;
    if (fd.payloadPkts >= budget || this.allExcluded(ex, candidates, words)) this.close(f, fd);
  }

  private allExcluded(ex: Uint32Array, candidates: Uint32Array, words: number): boolean {
    for (let w = 0; w < words; w++) if ((candidates[w] & ~ex[w]) !== 0) return false;
    return true;
  }

  private wantsStream(fd: FlowDpi, tcp: boolean): boolean {
    const ex = fd.excluded;
    if (ex === null || !tcp) return false;
    if (fd.detector >= 0) return this.registry.isStream[fd.detector] === 1;
    const s = this.registry.streamIndexes;
    for (let k = 0; k < s.length; k++) {
      const i = s[k];
      if ((ex[i >>> 5] & (1 << (i & 31))) === 0) return true;
    }
    return false;
  }

  /**
   * Runs dissector i unless excluded (or ruled out by its first-packet
   * declarations when rules is given: on the flow's first packet); true when
   * the flow got classified.
   */
  private tryOne(f: number, fd: FlowDpi, i: number, dir: number, buf: Buffer, off: number, len: number, tcp: boolean, rules: FirstPacketFilter | null): boolean {
    const ex = fd.excluded;
    if (ex === null) return true;
    const bit = 1 << (i & 31);
    if ((ex[i >>> 5] & bit) !== 0) return false;
    if (rules !== null && rules.ruled[i] === 1 && !rules.allows(i, buf, off, len)) {
      ex[i >>> 5] |= bit;
      return false;
    }
    const reg = this.registry;
    const v = this.run(i, fd, dir, buf, off, len, tcp);
    if (v === Verdict.Continue) {
      if (fd.payloadPkts >= reg.budgetOf[i]) ex[i >>> 5] |= bit;
      return false;
    }
    if (v === Verdict.Exclude) {
      ex[i >>> 5] |= bit;
      return false;
    }
    this.detected(f, fd, i, v);
    return true;
  }

  /** Dissector i detected flow f (verdict Detected or Done): label it, and close it or keep feeding only i. */
  private detected(f: number, fd: FlowDpi, i: number, v: Verdict): void {
    const reg = this.registry;
    if (this.app[f] === 0) this.setLabel(f, reg.list[i].id, 0, Confidence.Dpi);
    this.detectedFlows++;
    this.remember(f);
    if (v === Verdict.Done || fd.payloadPkts >= reg.budgetOf[i]) this.close(f, fd);
    else {
      fd.detector = i;
      if (this.onClassified !== null) this.onClassified(f);
    }
  }

  private run(i: number, fd: FlowDpi, dir: number, buf: Buffer, off: number, len: number, tcp: boolean): Verdict {
    const ctx = this.ctx;
    const reg = this.registry;
    const stream = tcp && reg.isStream[i] === 1;
    if (stream && !this.borrowed) {
      const s = dir === 0 ? fd.stream0 : fd.stream1;
      if (s === null) return Verdict.Continue;
      ctx.buf = s;
      ctx.off = 0;
      ctx.len = dir === 0 ? fd.streamLen0 : fd.streamLen1;
    } else if (stream && len > STREAM_CAP) {
      ctx.buf = buf;
      ctx.off = off;
      ctx.len = STREAM_CAP;
    } else {
      ctx.buf = buf;
      ctx.off = off;
      ctx.len = len;
    }
    ctx.cur.reset(ctx.buf, ctx.off, ctx.len);
    ctx.index = i;
    ctx.declared = reg.fieldsOf[i];
    return reg.dissectOf[i](ctx);
  }

  /** Keeps a stream buffer no flow uses any more for reuse, if it has the initial size. */
  private keepStream(s: Buffer | null): void {
    if (s !== null && s.length === STREAM_INITIAL && this.spareStreams.length < SPARE_STREAMS) this.spareStreams.push(s);
  }

  private close(f: number, fd: FlowDpi): void {
    this.status[f] = Status.Closed;
    this.keepStream(fd.stream0);
    this.keepStream(fd.stream1);
    fd.dropWork();
    this.remember(f);
    if (this.onClassified !== null) this.onClassified(f);
  }

  /** Remembers both endpoints of a flow DPI labelled with a cacheable protocol (the client's first). */
  private remember(f: number): void {
    const app = this.app[f];
    const master = this.master[f];
    if (this.confidence[f] !== Confidence.Dpi || !cacheable(app, master)) return;
    const h = readHead(this.table, f, this.head);
    const a = this.table.keyAddr;
    const label = (app << 16) | master;
    this.endpoints.set(h.proto, h.ipVersion, a, h.srcAddrOff, h.srcPort, label);
    this.endpoints.set(h.proto, h.ipVersion, a, h.dstAddrOff, h.dstPort, label);
  }

  /** Label of a remembered endpoint of flow f (app << 16 | master), the server's first, or -1. */
  private cached(h: RecordHead): number {
    const a = this.table.keyAddr;
    const c = this.endpoints.get(h.proto, h.ipVersion, a, h.dstAddrOff, h.dstPort);
    return c >= 0 ? c : this.endpoints.get(h.proto, h.ipVersion, a, h.srcAddrOff, h.srcPort);
  }

  /** Sets the label of flow f (called by dissectors through ctx.detect()). */
  setLabel(f: number, app: number, master: number, confidence: Confidence): void {
    if (f >= this.cap) this.grow(f);
    this.app[f] = app;
    this.master[f] = master === app ? 0 : master;
    this.confidence[f] = confidence;
    this.refineByHost(f);
  }

  /** Refines TLS/HTTP/DNS/QUIC... to Master.App from the flow's server name. */
  refineByHost(f: number): void {
    const fd = this.flows[f];
    const app = this.app[f];
    if (fd === undefined || app === 0 || this.master[f] !== 0 || !HOST_REFINED.has(app)) return;
    const name = fd.getMeta('server_name');
    let id = typeof name === 'string' && name !== '' ? this.hosts.classify(name) : 0;
    const sans = fd.getMeta('tls_server_names');
    if (id === 0 && typeof sans === 'string' && sans !== '') {
      // No SNI, or one the lists do not know: the certificate's names say whose server it is.
      for (const san of sans.split(',')) {
        id = this.hosts.classify(san.trim().replace(/^\*\./, ''));
        if (id !== 0) break;
      }
    }
    if (id !== 0 && id !== app) {
      this.master[f] = app;
      this.app[f] = id;
    }
  }

  /**
   * Completes flow f's label before a record is written: a flow DPI could not
   * name is guessed from its ports, then from the address lists. Risks that
   * depend on the whole flow are added. `final` is false for interim records.
   */
  finalize(f: number, final: boolean): void {
    if (f >= this.cap || this.flowIdOf[f] !== this.table.flowId[f]) this.sync(f);
    const h = readHead(this.table, f, this.head);
    if (this.app[f] === 0 && (final || this.status[f] !== Status.Open)) {
      const c = this.cached(h);
      if (c >= 0) {
        this.app[f] = c >>> 16;
        this.master[f] = c & 0xffff;
        this.confidence[f] = Confidence.Cache;
      }
    }
    if (this.app[f] === 0 && (final || this.status[f] !== Status.Open)) {
      const guess = this.registry.guessByPort(h.proto, h.srcPort, h.dstPort);
      if (guess !== 0) {
        this.app[f] = guess;
        this.confidence[f] = Confidence.Port;
      } else {
        const t = this.table;
        const byIp = this.ips.lookup(h.ipVersion, t.keyAddr, h.dstAddrOff) || this.ips.lookup(h.ipVersion, t.keyAddr, h.srcAddrOff);
        if (byIp !== 0) {
          this.app[f] = byIp;
          this.confidence[f] = Confidence.Ip;
        }
      }
    }
    if (final) this.addFinalRisks(f, h);
  }

  /** Adds the risks that need the whole flow (risks.ts) to flow f's final record. */
  private addFinalRisks(f: number, h: RecordHead): void {
    let fd = this.flows[f];
    const added = finalRisks(this.table, f, h, this.app[f], this.master[f], this.confidence[f], this.registry, fd);
    if (added === 0) return;
    if (fd === undefined) {
      fd = this.newFlowDpi();
      fd.dropWork();
      this.flows[f] = fd;
    }
    for (let k = 0; k < FINAL_RISKS.length; k++) if ((added & (1 << k)) !== 0) fd.addRisk(FINAL_RISKS[k]);
    // nDPI's TLS.Tor for Tor clients older than the encrypt_then_mac hint: a Tor-like name that also looks machine-generated.
    if (this.app[f] === P.TLS && this.master[f] === 0 && (added & FinalRisk.Dga) !== 0) {
      const name = fd.getMeta('server_name');
      if (typeof name === 'string' && torLikeHost(name)) {
        this.app[f] = P.Tor;
        this.master[f] = P.TLS;
        fd.addRisk(Risk.Unsafe_Protocol);
      }
    }
  }

  private newFlowDpi(): FlowDpi {
    const fd = this.spare.pop();
    if (fd === undefined) return new FlowDpi(this.registry.size);
    fd.reuse();
    return fd;
  }

  /** The final record of flow f was written: frees its DPI state (keeping the object for a later flow). */
  release(f: number): void {
    if (f < this.cap) {
      const fd = this.flows[f];
      if (fd !== undefined && this.flowIdOf[f] === this.table.flowId[f] && this.spare.length < SPARE_FLOW_DPI) this.spare.push(fd);
      this.flows[f] = undefined;
      this.flowIdOf[f] = -1;
    }
  }

  /** For tests and the contract suite: fields a dissector set without declaring them. */
  takeUndeclared(): string[] {
    const u = this.ctx.undeclared;
    this.ctx.undeclared = [];
    return u;
  }
}

export { META_FIELDS, Risk };
