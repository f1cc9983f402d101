/**
 * The flow table: bidirectional flows in typed arrays (struct of arrays,
 * indexed by a flow slot number), found through an open-addressing hash
 * table with linear probing and backward-shift deletion (no tombstones).
 *
 * Per flow: the canonical key, which side is the client, per-direction
 * packets, bytes (whole frames on the wire) and OR-ed TCP flags, first and
 * last packet times, TCP state bits, the tunnel it came through.
 *
 * Orientation: the sender of the first packet is the client, except that a
 * TCP SYN-ACK seen first makes its sender the server.
 *
 * Expiry runs on a clock passed in by the caller (packet time for files, wall
 * time for live capture): each timeout class keeps a least-recently-active
 * list, so the flows to expire are always at the tails; a separate list in
 * record-start order drives the active timeout (interim records with the
 * counters since the previous record). At `maxFlows` the least recently active
 * flow is evicted. Each record leaves through FlowSink.flowEnded() before its
 * slot is reused. update() allocates nothing.
 */
import { randomBytes } from 'node:crypto';
import type { DecodedPacket } from '../decode/packet';
import { IpProto } from '../decode/packet';
import { TcpFlag } from '../decode/tcp';
import { flowHash, sourceIsA } from './key';
import {
  DEFAULT_MAX_FLOWS,
  DEFAULT_TIMEOUTS,
  EndReason,
  FlowTableOptions,
  FlowTimeouts,
  TimeoutClass,
  classTimeoutsMs,
} from './expiry';
import { insertIntoProbeTable, removeFromProbeTable } from '../util/probe-table';
import { grown } from '../util/typed-grow';
import { NIL, SlotList } from '../util/slot-list';

export interface FlowSink {
  /**
   * A record is complete (final, or interim when reason is EndReason.Active).
   * Read what is needed from the table's arrays at slot f during the call.
   */
  flowEnded(table: FlowTable, f: number, reason: EndReason): void;
}

/** TCP state bits kept per flow. */
export const enum FlowState {
  SynC2S = 1,
  SynS2C = 2,
  FinC2S = 4,
  FinS2C = 8,
  Rst = 16,
  /** The next packet starts a new record (after an interim one). */
  NewRecord = 32,
  /** Packets seen from the client / from the server (over the whole flow, not just this record). */
  SeenC2S = 64,
  SeenS2C = 128,
}

const INITIAL_SLOTS = 1 << 14;

export class FlowTable {
  readonly maxFlows: number;
  readonly timeouts: Readonly<FlowTimeouts>;
  private readonly classTimeout: Float64Array;
  private readonly activeMs: number;
  private readonly seed: number;
  private readonly sink: FlowSink;

  /** Slots allocated in the per-flow arrays (grows by doubling up to maxFlows). */
  capacity = 0;
  /** Live flows. */
  count = 0;
  /** Flows created since start. */
  created = 0;
  /** Records emitted by reason (index: EndReason). */
  readonly ended = new Float64Array(EndReason.Count);
  /** Highest packet time seen: the table's clock. */
  clockMs = 0;

  private mask = 0;
  private buckets = new Int32Array(0);

  keyAddr = new Int32Array(0);
  keyPorts = new Int32Array(0);
  /** proto | ipVersion << 8 | vlan << 12 */
  keyMeta = new Int32Array(0);
  hash = new Int32Array(0);
  clientIsA = new Uint8Array(0);
  tunnel = new Uint8Array(0);
  /** Per direction, index 2f = client→server, 2f+1 = server→client. */
  pkts = new Float64Array(0);
  bytes = new Float64Array(0);
  tcpFlags = new Uint16Array(0);
  firstMs = new Float64Array(0);
  lastMs = new Float64Array(0);
  state = new Uint8Array(0);
  /** ICMP type << 8 | code of the flow's first packet. */
  icmpTypeCode = new Uint16Array(0);
  flowId = new Float64Array(0);
  /** Records already emitted for this flow (interim ones). */
  recordSeq = new Uint32Array(0);

  private touchMs = new Float64Array(0);
  private recStartMs = new Float64Array(0);
  private tclass = new Uint8Array(0);
  private lruPrev = new Int32Array(0);
  private lruNext = new Int32Array(0);
  private readonly classHead = new Int32Array(TimeoutClass.Count).fill(NIL);
  private readonly classTail = new Int32Array(TimeoutClass.Count).fill(NIL);
  /** Live flows in the order their records started (drives the active timeout), and the free slots. */
  private readonly records = new SlotList();
  private nextFlowId = 1;

  /** Direction of the last packet given to update(): 0 client→server, 1 server→client. */
  lastDirection = 0;

  constructor(sink: FlowSink, opts: FlowTableOptions = {}) {
    this.sink = sink;
    const maxFlows = opts.maxFlows ?? DEFAULT_MAX_FLOWS;
    if (!Number.isInteger(maxFlows) || maxFlows < 16) throw new RangeError(`maxFlows must be an integer >= 16, got ${maxFlows}`);
    this.maxFlows = maxFlows;
    this.timeouts = Object.freeze({ ...DEFAULT_TIMEOUTS, ...(opts.timeouts ?? {}) });
    for (const [name, v] of Object.entries(this.timeouts)) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`timeout ${name} must be a positive number of seconds, got ${v}`);
    }
    this.classTimeout = classTimeoutsMs(this.timeouts);
    this.activeMs = this.timeouts.active * 1000;
    this.seed = randomBytes(4).readInt32LE(0);
    this.grow(Math.min(INITIAL_SLOTS, this.maxFlows));
  }

  /**
   * Accounts one decoded packet to its flow (creating the flow if needed) at
   * clock `nowMs`. Returns the flow slot; lastDirection tells the direction.
   */
  update(p: DecodedPacket, nowMs: number): number {
    if (nowMs > this.clockMs) this.clockMs = nowMs;
    const addr = p.addr;
    const proto = p.proto;
    const ipv = p.ipVersion;
    const fromA = sourceIsA(ipv, addr, p.srcPort, p.dstPort);
    const aOff = fromA ? 0 : 4;
    const bOff = fromA ? 4 : 0;
    const ports = fromA ? (p.srcPort << 16) | p.dstPort : (p.dstPort << 16) | p.srcPort;
    const meta = proto | (ipv << 8) | (p.vlanId << 12);
    const h = flowHash(ipv, addr, aOff, bOff, ports, meta, this.seed);
    let f = this.find(h, addr, aOff, bOff, ports, meta, ipv);
    const flags = p.tcpFlags;
    if (f !== NIL && proto === IpProto.Tcp && (flags & (TcpFlag.Syn | TcpFlag.Ack)) === TcpFlag.Syn &&
        (this.state[f] & (FlowState.Rst | FlowState.FinC2S | FlowState.FinS2C)) !== 0 &&
        (this.state[f] & FlowState.Rst || (this.state[f] & (FlowState.FinC2S | FlowState.FinS2C)) === (FlowState.FinC2S | FlowState.FinS2C))) {
      // A new connection reusing the ports of a closed one.
      this.end(f, this.state[f] & FlowState.Rst ? EndReason.Rst : EndReason.Fin);
      f = NIL;
    }
    let dir: number;
    if (f === NIL) {
      f = this.create(h, addr, aOff, bOff, ports, meta, nowMs);
      // The first packet's sender is the client, unless it is a SYN-ACK.
      const synAck = proto === IpProto.Tcp && (flags & (TcpFlag.Syn | TcpFlag.Ack)) === (TcpFlag.Syn | TcpFlag.Ack);
      this.clientIsA[f] = fromA !== synAck ? 1 : 0;
      this.tunnel[f] = p.tunnel;
      this.icmpTypeCode[f] = (p.icmpType << 8) | p.icmpCode;
      this.firstMs[f] = p.tsMs;
      this.lastMs[f] = p.tsMs;
      dir = synAck ? 1 : 0;
    } else {
      dir = (fromA ? 1 : 0) === this.clientIsA[f] ? 0 : 1;
      if (this.state[f] & FlowState.NewRecord) {
        this.state[f] &= ~FlowState.NewRecord;
        this.firstMs[f] = p.tsMs;
      }
      if (p.tsMs > this.lastMs[f]) this.lastMs[f] = p.tsMs;
      else if (p.tsMs < this.firstMs[f]) this.firstMs[f] = p.tsMs;
    }
    this.lastDirection = dir;
    const di = (f << 1) | dir;
    this.pkts[di] += p.frames;
    this.bytes[di] += p.frameBytes;
    this.touchMs[f] = this.clockMs;

    let cls: TimeoutClass;
    if (proto === IpProto.Tcp) {
      this.tcpFlags[di] |= flags;
      let st = this.state[f] | (dir === 0 ? FlowState.SeenC2S : FlowState.SeenS2C);
      if (flags & TcpFlag.Syn) st |= dir === 0 ? FlowState.SynC2S : FlowState.SynS2C;
      if (flags & TcpFlag.Fin) st |= dir === 0 ? FlowState.FinC2S : FlowState.FinS2C;
      if (flags & TcpFlag.Rst) st |= FlowState.Rst;
      this.state[f] = st;
      if (st & FlowState.Rst || (st & (FlowState.FinC2S | FlowState.FinS2C)) === (FlowState.FinC2S | FlowState.FinS2C)) cls = TimeoutClass.TcpClosed;
      else if ((st & (FlowState.SeenC2S | FlowState.SeenS2C)) === (FlowState.SeenC2S | FlowState.SeenS2C)) cls = TimeoutClass.TcpEstablished;
      else cls = TimeoutClass.TcpOpening;
    } else if (proto === IpProto.Udp) cls = TimeoutClass.Udp;
    else if (proto === IpProto.Icmp || proto === IpProto.Icmpv6) cls = TimeoutClass.Icmp;
    else cls = TimeoutClass.Other;
    this.touch(f, cls);
    return f;
  }

  /** Ends every flow idle for longer than its class timeout at `nowMs`, then emits due interim records. */
  expire(nowMs: number): void {
    if (nowMs > this.clockMs) this.clockMs = nowMs;
    for (let c = 0; c < TimeoutClass.Count; c++) {
      const limit = nowMs - this.classTimeout[c];
      for (let f = this.classTail[c]; f !== NIL && this.touchMs[f] <= limit; f = this.classTail[c]) {
        this.end(f, c === TimeoutClass.TcpClosed ? (this.state[f] & FlowState.Rst ? EndReason.Rst : EndReason.Fin) : EndReason.Idle);
      }
    }
    const activeLimit = nowMs - this.activeMs;
    for (let f = this.records.head; f !== NIL && this.recStartMs[f] <= activeLimit; f = this.records.head) this.interim(f, nowMs);
  }

  /** Ends every live flow (end of input or shutdown), in the order their records started. */
  flushAll(): void {
    for (let f = this.records.head; f !== NIL; f = this.records.head) {
      const st = this.state[f];
      let reason = EndReason.Forced;
      if (st & FlowState.Rst) reason = EndReason.Rst;
      else if ((st & (FlowState.FinC2S | FlowState.FinS2C)) === (FlowState.FinC2S | FlowState.FinS2C)) reason = EndReason.Fin;
      this.end(f, reason);
    }
  }

  private find(h: number, addr: Int32Array, aOff: number, bOff: number, ports: number, meta: number, ipv: number): number {
    const b = this.buckets;
    const mask = this.mask;
    const ka = this.keyAddr;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = b[i];
      if (e === 0) return NIL;
      const f = e - 1;
      if (this.hash[f] !== h || this.keyPorts[f] !== ports || this.keyMeta[f] !== meta) continue;
      const k = f << 3;
      if (ka[k] !== addr[aOff] || ka[k + 4] !== addr[bOff]) continue;
      if (ipv === 6 &&
          (ka[k + 1] !== addr[aOff + 1] || ka[k + 2] !== addr[aOff + 2] || ka[k + 3] !== addr[aOff + 3] ||
           ka[k + 5] !== addr[bOff + 1] || ka[k + 6] !== addr[bOff + 2] || ka[k + 7] !== addr[bOff + 3])) continue;
      return f;
    }
  }

  private create(h: number, addr: Int32Array, aOff: number, bOff: number, ports: number, meta: number, nowMs: number): number {
    let f = this.records.take();
    if (f === NIL) {
      if (this.capacity < this.maxFlows) this.grow(Math.min(this.capacity * 2, this.maxFlows));
      else this.evictOne();
      f = this.records.take();
    }
    const k = f << 3;
    const ka = this.keyAddr;
    ka[k] = addr[aOff]; ka[k + 1] = addr[aOff + 1]; ka[k + 2] = addr[aOff + 2]; ka[k + 3] = addr[aOff + 3];
    ka[k + 4] = addr[bOff]; ka[k + 5] = addr[bOff + 1]; ka[k + 6] = addr[bOff + 2]; ka[k + 7] = addr[bOff + 3];
    this.keyPorts[f] = ports;
    this.keyMeta[f] = meta;
    this.hash[f] = h;
    this.pkts[f << 1] = 0; this.pkts[(f << 1) | 1] = 0;
    this.bytes[f << 1] = 0; this.bytes[(f << 1) | 1] = 0;
    this.tcpFlags[f << 1] = 0; this.tcpFlags[(f << 1) | 1] = 0;
    this.state[f] = 0;
    this.recordSeq[f] = 0;
    this.flowId[f] = this.nextFlowId++;
    this.recStartMs[f] = nowMs;
    this.tclass[f] = TimeoutClass.Count;
    this.lruPrev[f] = NIL;
    this.lruNext[f] = NIL;
    this.records.pushBack(f);
    insertIntoProbeTable(this.buckets, this.mask, h, f);
    this.count++;
    this.created++;
    return f;
  }

  /** Emits the flow's record and frees its slot. */
  private end(f: number, reason: EndReason): void {
    if (this.pkts[f << 1] + this.pkts[(f << 1) | 1] > 0) {
      this.ended[reason]++;
      this.sink.flowEnded(this, f, reason);
    }
    this.unlinkClass(f);
    this.records.unlink(f);
    this.removeBucket(f);
    this.tclass[f] = TimeoutClass.Count;
    this.records.release(f);
    this.count--;
  }

  private interim(f: number, nowMs: number): void {
    if (this.pkts[f << 1] + this.pkts[(f << 1) | 1] > 0) {
      this.ended[EndReason.Active]++;
      this.sink.flowEnded(this, f, EndReason.Active);
      this.recordSeq[f]++;
    }
    this.pkts[f << 1] = 0; this.pkts[(f << 1) | 1] = 0;
    this.bytes[f << 1] = 0; this.bytes[(f << 1) | 1] = 0;
    this.tcpFlags[f << 1] = 0; this.tcpFlags[(f << 1) | 1] = 0;
    this.state[f] |= FlowState.NewRecord;
    this.recStartMs[f] = nowMs;
    this.records.unlink(f);
    this.records.pushBack(f);
  }

  private evictOne(): void {
    let victim = NIL;
    let oldest = Infinity;
    for (let c = 0; c < TimeoutClass.Count; c++) {
      const t = this.classTail[c];
      if (t !== NIL && this.touchMs[t] < oldest) {
        oldest = this.touchMs[t];
        victim = t;
      }
    }
    if (victim !== NIL) this.end(victim, EndReason.Evicted);
  }

  private removeBucket(f: number): void {
    removeFromProbeTable(this.buckets, this.hash, this.mask, f);
  }

  /** Moves f to the head (most recent end) of class cls's list. */
  private touch(f: number, cls: TimeoutClass): void {
    if (this.tclass[f] === cls && this.classHead[cls] === f) return;
    this.unlinkClass(f);
    this.tclass[f] = cls;
    const head = this.classHead[cls];
    this.lruPrev[f] = NIL;
    this.lruNext[f] = head;
    if (head !== NIL) this.lruPrev[head] = f;
    else this.classTail[cls] = f;
    this.classHead[cls] = f;
  }

  private unlinkClass(f: number): void {
    const c = this.tclass[f];
    if (c === TimeoutClass.Count) return;
    const p = this.lruPrev[f];
    const n = this.lruNext[f];
    if (p !== NIL) this.lruNext[p] = n;
    else this.classHead[c] = n;
    if (n !== NIL) this.lruPrev[n] = p;
    else this.classTail[c] = p;
    this.tclass[f] = TimeoutClass.Count;
  }


  private grow(slots: number): void {
    const old = this.capacity;
    this.keyAddr = grown(this.keyAddr, slots * 8);
    this.keyPorts = grown(this.keyPorts, slots);
    this.keyMeta = grown(this.keyMeta, slots);
    this.hash = grown(this.hash, slots);
    this.clientIsA = grown(this.clientIsA, slots);
    this.tunnel = grown(this.tunnel, slots);
    this.pkts = grown(this.pkts, slots * 2);
    this.bytes = grown(this.bytes, slots * 2);
    this.tcpFlags = grown(this.tcpFlags, slots * 2);
    this.firstMs = grown(this.firstMs, slots);
    this.lastMs = grown(this.lastMs, slots);
    this.state = grown(this.state, slots);
    this.icmpTypeCode = grown(this.icmpTypeCode, slots);
    this.flowId = grown(this.flowId, slots);
    this.recordSeq = grown(this.recordSeq, slots);
    this.touchMs = grown(this.touchMs, slots);
    this.recStartMs = grown(this.recStartMs, slots);
    this.tclass = grown(this.tclass, slots);
    this.lruPrev = grown(this.lruPrev, slots);
    this.lruNext = grown(this.lruNext, slots);
    this.records.grow(slots);
    this.tclass.fill(TimeoutClass.Count, old);
    this.capacity = slots;
    let nb = 16;
    while (nb < slots * 2) nb *= 2;
    this.buckets = new Int32Array(nb);
    this.mask = nb - 1;
    // The table grows only when no slot is free: every old slot holds a live flow.
    for (let f = 0; f < old; f++) insertIntoProbeTable(this.buckets, this.mask, this.hash[f], f);
  }
}
