/**
 * Clock-driven flow expiry for live input. With capture files the Probe
 * expires flows on the packet clock (once per second of capture time, from
 * onPacket), so an idle link would never end its flows; while capturing
 * live, a timer calls probe.expire(Date.now()) every second instead, between
 * the chunks the helpers deliver (the pcap reader is asynchronous, so timers
 * run between chunks). Records keep the packet timestamps (first/last
 * switched) as with files; only the decision "idle long enough" uses the
 * wall clock.
 *
 * The two clocks agree: capture timestamps are the kernel's CLOCK_REALTIME,
 * Date.now() is the same clock, and a packet reaches flowtap within about a
 * second (the helper's buffering). The flow table keeps its clock at the
 * latest time seen (packet or timer), so a packet delivered late refreshes
 * its flow at delivery time and a flow is not ended while its packets are
 * in the pipe, except for one that arrives after a flow was already idle
 * for its whole timeout (it then starts a new record of the same flow).
 * Because the timer keeps the clock at the wall clock, the packet-clock
 * expiry in onPacket rarely runs; when it does, it is harmless (same clock).
 */

/** What the timer drives (the Probe). */
export interface ExpiryTarget {
  expire(nowMs: number): void;
}

export interface LiveExpiryOptions {
  /** Period (default 1000 ms, the Probe's own expiry period). */
  intervalMs?: number;
  /** The clock (default Date.now). */
  now?: () => number;
}

export interface LiveExpiry {
  /** Stops the timer (before the Probe's finish()). */
  stop(): void;
}

/** Starts calling target.expire(now()) every intervalMs. The timer does not keep the process alive. */
export function startLiveExpiry(target: ExpiryTarget, opts: LiveExpiryOptions = {}): LiveExpiry {
  const now = opts.now ?? Date.now;
  const timer = setInterval(() => target.expire(now()), opts.intervalMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
