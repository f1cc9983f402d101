/**
 * Flow expiry policy: idle timeouts per timeout class, the active timeout that
 * cuts long flows into interim records, and the reasons a record ends with
 * (the values of IPFIX flowEndReason, IANA IE 136, where one exists).
 *
 * Defaults are chosen so that every flow of a port scan is exported within a
 * minute of its first packet: a SYN answered by RST closes in 5 s, a SYN left
 * unanswered ends after 20 s, and nothing lives longer than the 5-minute active
 * timeout without a record. (ndff kept a SYN-only flow for an hour.)
 */

/** Timeout class a flow is in; each class keeps its own least-recently-active list. */
export const enum TimeoutClass {
  /** TCP flow that has not seen traffic from both sides after a SYN, or only one side so far. */
  TcpOpening = 0,
  TcpEstablished = 1,
  /** TCP flow after a RST or a FIN from both sides. */
  TcpClosed = 2,
  Udp = 3,
  Icmp = 4,
  Other = 5,
  Count = 6,
}

export const enum EndReason {
  Idle = 0,
  Active = 1,
  Fin = 2,
  Rst = 3,
  Forced = 4,
  Evicted = 5,
  Count = 6,
}

export const END_REASON_NAMES: readonly string[] = ['idle', 'active', 'fin', 'rst', 'end_of_input', 'evicted'];
/** IPFIX flowEndReason values: 1 idle, 2 active, 3 end detected, 4 forced end, 5 lack of resources. */
export const END_REASON_IPFIX: readonly number[] = [1, 2, 3, 3, 4, 5];

export interface FlowTimeouts {
  /** TCP after a SYN with no answer yet, or seen one way only (seconds). */
  tcpOpening: number;
  /** Established TCP idle (seconds). */
  tcp: number;
  /** TCP after RST or FIN in both directions (seconds). */
  tcpClosed: number;
  udp: number;
  icmp: number;
  other: number;
  /** Active timeout: a flow older than this gets an interim record and starts a new one (seconds). */
  active: number;
}

export const DEFAULT_TIMEOUTS: Readonly<FlowTimeouts> = Object.freeze({
  tcpOpening: 20,
  tcp: 120,
  tcpClosed: 5,
  udp: 60,
  icmp: 30,
  other: 60,
  active: 300,
});

export interface FlowTableOptions {
  timeouts?: Partial<FlowTimeouts>;
  /** Maximum live flows; beyond it the least recently active flow is evicted. */
  maxFlows?: number;
}

export const DEFAULT_MAX_FLOWS = 1 << 20;

/** Idle timeout of each class in ms, indexed by TimeoutClass. */
export function classTimeoutsMs(t: FlowTimeouts): Float64Array {
  const a = new Float64Array(TimeoutClass.Count);
  a[TimeoutClass.TcpOpening] = t.tcpOpening * 1000;
  a[TimeoutClass.TcpEstablished] = t.tcp * 1000;
  a[TimeoutClass.TcpClosed] = t.tcpClosed * 1000;
  a[TimeoutClass.Udp] = t.udp * 1000;
  a[TimeoutClass.Icmp] = t.icmp * 1000;
  a[TimeoutClass.Other] = t.other * 1000;
  return a;
}
