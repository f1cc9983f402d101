/**
 * Helpers for the flow-stage tests: address text to the 32-bit words the
 * decoder fills in, a DecodedPacket filled by hand from a short description,
 * and a FlowTable wired to a sink that keeps every record (built with
 * buildRecord, as the probe does).
 */
import { DecodedPacket, IpProto } from '../../src/decode/packet';
import { FlowSink, FlowTable } from '../../src/flow/table';
import type { EndReason, FlowTableOptions } from '../../src/flow/expiry';
import { buildRecord, FlowRecord } from '../../src/flow/record';

/** Dotted quad to its network-order 32-bit word (as a signed Int32 value). */
export function v4Word(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 address ${text}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) | 0;
}

/** IPv6 text (with optional "::" and a dotted IPv4 tail) to its 8 groups. */
export function v6Groups(text: string): number[] {
  const groupsOf = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const w = v4Word(g) >>> 0;
        out.push(w >>> 16, w & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 group '${g}' in ${text}`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const gap = text.indexOf('::');
  let groups: number[];
  if (gap < 0) groups = groupsOf(text);
  else {
    const head = groupsOf(text.slice(0, gap));
    const tail = groupsOf(text.slice(gap + 2));
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${text}`);
  return groups;
}

/** IPv6 text to 4 network-order words. */
export function v6Words(text: string): Int32Array {
  const g = v6Groups(text);
  const w = new Int32Array(4);
  for (let i = 0; i < 4; i++) w[i] = (g[2 * i] << 16) | g[2 * i + 1];
  return w;
}

/** One packet, described by hand. Addresses with ':' are IPv6. */
export interface PktSpec {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** L4 protocol number (default UDP). */
  proto?: number;
  tcpFlags?: number;
  /** Packet time in ms. */
  ts: number;
  /** Wire bytes (default 100). */
  bytes?: number;
  /** Frames this packet stands for (default 1; >1 for a reassembled datagram with held fragments). */
  frames?: number;
  vlan?: number;
  tunnel?: number;
  icmpType?: number;
  icmpCode?: number;
}

/** Fills the reusable packet p from spec, the way the decoder would. */
export function fillPacket(p: DecodedPacket, s: PktSpec): DecodedPacket {
  p.reset();
  const v6 = s.src.includes(':');
  p.ipVersion = v6 ? 6 : 4;
  if (v6) {
    p.addr.set(v6Words(s.src), 0);
    p.addr.set(v6Words(s.dst), 4);
  } else {
    p.addr[0] = v4Word(s.src);
    p.addr[4] = v4Word(s.dst);
  }
  p.proto = s.proto ?? IpProto.Udp;
  p.srcPort = s.sport ?? 0;
  p.dstPort = s.dport ?? 0;
  p.tcpFlags = s.tcpFlags ?? 0;
  p.tsMs = s.ts;
  p.wireLen = s.bytes ?? 100;
  p.frameBytes = s.bytes ?? 100;
  p.frames = s.frames ?? 1;
  p.vlanId = s.vlan ?? 0;
  p.tunnel = s.tunnel ?? 0;
  p.icmpType = s.icmpType ?? 0;
  p.icmpCode = s.icmpCode ?? 0;
  return p;
}

/** A FlowTable whose records are kept in `records`, fed with packets described by hand. */
export class Harness implements FlowSink {
  readonly table: FlowTable;
  readonly records: FlowRecord[] = [];
  private readonly pkt = new DecodedPacket();

  constructor(opts: FlowTableOptions = {}) {
    this.table = new FlowTable(this, opts);
  }

  flowEnded(table: FlowTable, f: number, reason: EndReason): void {
    this.records.push(buildRecord(table, f, reason));
  }

  /** Accounts one packet at its own time; returns the flow slot. */
  send(s: PktSpec): number {
    return this.table.update(fillPacket(this.pkt, s), s.ts);
  }

  expire(nowMs: number): FlowRecord[] {
    const before = this.records.length;
    this.table.expire(nowMs);
    return this.records.slice(before);
  }

  flush(): FlowRecord[] {
    const before = this.records.length;
    this.table.flushAll();
    return this.records.slice(before);
  }
}

/** TCP flag combinations. */
export const SYN = 0x02;
export const SYN_ACK = 0x12;
export const ACK = 0x10;
export const PSH_ACK = 0x18;
export const FIN_ACK = 0x11;
export const RST = 0x04;
export const RST_ACK = 0x14;

export { rng } from '../support/common';

/** Base time for tests: 2023-11-14T22:13:20Z in ms. */
export const T0 = 1_700_000_000_000;
