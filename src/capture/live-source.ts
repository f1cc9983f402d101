/**
 * Live capture from network interfaces (`-i eth1,eth2`) as a PacketSource.
 *
 * Backend: one tcpdump per interface (tcpdump.ts for the command line and
 * what its standard error says), whose classic pcap output is read through
 * the same stream reader as capture files (openCaptureStream). Why tcpdump
 * per interface and not one dumpcap for all of them: tcpdump reports its
 * counters on request (SIGUSR1), so drops can be reported while capturing,
 * where dumpcap reports them only at the end (pcapng statistics blocks) or
 * over Wireshark's private sync-pipe protocol (-Z), and its -S mode prints
 * statistics without capturing; a helper per interface also fails, restarts
 * and is counted on its own; and dumpcap's merged stream would not be in
 * time order either (it writes packets as its per-interface threads hand
 * them over). The interface stays behind PacketSource, so a native libpcap
 * binding can replace the pipe.
 *
 * Several interfaces: every helper's packets go to the same handler (one
 * Probe), each stream in its own order, the streams interleaved as their
 * chunks arrive. Packets of different interfaces can therefore arrive up to
 * the helpers' buffering delay (about a second) out of time order; the flow
 * table keeps its clock at the latest time seen and each flow's first/last
 * times from its own packets, so that only shifts idle times by that much.
 *
 * Lifecycle: LiveSource.open() checks everything that can be checked before
 * capturing (the interfaces exist, listing the ones that do; tcpdump is
 * installed; the BPF expression compiles, with the same compiler as -f on
 * files) and starts the helpers, resolving once each one says it is
 * listening, or rejecting with one typed error (LiveCaptureError, BpfError).
 * run() reads until stop() (or the abort signal): the helpers get SIGTERM,
 * flush what they captured and exit, and run() resolves once everything
 * they wrote has been delivered. Without immediate mode, SIGTERM is sent
 * 1.5 s after stop(): on SIGTERM tcpdump leaves the kernel ring block it has
 * not been handed yet unread, and the kernel hands a partly filled block over
 * after tcpdump's 1 s timeout, so waiting that long loses nothing captured
 * before the stop.
 *
 * A helper that ends on its own (killed, crashed, interface gone) is
 * restarted after 0.5 s, then with a doubling delay up to 30 s while
 * restarts fail (back to 0.5 s once one has run a minute), and one warning
 * says what happened and how long nothing was captured ("tcpdump on eth1
 * exited (code 1: ...); restarted; capture gap 2.1 s").
 *
 * Drops are reported every statsIntervalMs (default 60 s) and at the end,
 * one line per interface (a warning when there were new drops): the
 * kernel's (capture ring full: the helper or flowtap did not keep up), the
 * interface's (the NIC missed them, promiscuous mode only), and the packets
 * that passed the interface while no helper was capturing (an estimate from
 * the interface's rx/tx counters, before any filter). captureStats() gives
 * the same counters for metrics.
 *
 * The BPF filter runs in the kernel (tcpdump installs it), so the Probe
 * needs no filter of its own for live input.
 */

import { LiveCaptureError, noSuchDevice } from './live-errors';
import { HelperProcess, describeExit } from './helper-process';
import { findTcpdump, tcpdumpArgs, type TcpdumpCounters } from './tcpdump';
import { interfaceCounters, interfaceExists, interfaceLinkType, listInterfaces } from './net-interfaces';
import { openCaptureStream } from './file-source';
import { BpfFilter } from './bpf-filter';
import { CaptureError } from '../util/errors';
import type { PacketHandler, PacketSource, SourceStats } from './source';
import { formatCount } from '../util/format';

/** Where live capture reports restarts and drops (util/log.ts's Logger fits). */
export interface LiveLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface LiveSourceOptions {
  /** Interface names ("any" for all). */
  interfaces: readonly string[];
  /** BPF filter expression (tcpdump syntax), run in the kernel. */
  filter?: string;
  /** Bytes kept of each packet (default 262144). */
  snaplen?: number;
  /** Promiscuous mode (default true). */
  promisc?: boolean;
  /** Kernel capture buffer per interface in bytes (default 64 MiB, as the configuration's input.buffer_size). */
  bufferBytes?: number;
  /** tcpdump --immediate-mode: packets handed over at once instead of up to 1 s later (default false). */
  immediate?: boolean;
  /** Delay between stop() and SIGTERM to the helpers (default 1,500 ms, 0 in immediate mode). */
  stopDelayMs?: number;
  /** tcpdump executable (default: found in PATH or the system directories). */
  tcpdump?: string;
  /** Drop report period (default 60,000 ms; 0: only at the end). */
  statsIntervalMs?: number;
  /** First restart delay (default 500 ms); later ones double up to restartMaxMs. */
  restartMinMs?: number;
  restartMaxMs?: number;
  /** How long a helper may take to start capturing (default 10,000 ms). */
  startTimeoutMs?: number;
  /** How long a helper may take to exit after SIGTERM before SIGKILL (default 5,000 ms). */
  stopTimeoutMs?: number;
  /** stop() when aborted. */
  signal?: AbortSignal;
  log?: LiveLog;
  /** Log the end-of-run drop report when run() ends (default true; the CLI prints dropReport(true) in its statistics instead). */
  finalReport?: boolean;
}

export const DEFAULT_SNAPLEN = 262144;
export const DEFAULT_CAPTURE_BUFFER = 64 * 1024 * 1024;
export const DEFAULT_STATS_INTERVAL_MS = 60_000;
const DEFAULT_RESTART_MIN_MS = 500;
const DEFAULT_RESTART_MAX_MS = 30_000;
const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** tcpdump's 1 s packet buffer timeout, and a margin. */
const DEFAULT_STOP_DELAY_MS = 1_500;
/** A helper that ran this long before dying restarts after the first delay again. */
const STABLE_RUN_MS = 60_000;
/** How long a drop report waits for the helpers' counters. */
const STATS_WAIT_MS = 2_000;

/** One interface's capture counters, cumulative over its helpers' runs. */
export interface InterfaceCaptureStats {
  iface: string;
  /** A helper is capturing now. */
  up: boolean;
  /** Packets the kernel filter accepted (dropped ones included). */
  received: number;
  /** Packets the helper wrote. */
  captured: number;
  /** Dropped because the capture ring was full. */
  kernelDrops: number;
  /** Missed by the NIC (promiscuous mode only). */
  interfaceDrops: number;
  /** Packets that passed the interface while no helper was capturing (estimate, before any filter). */
  gapPackets: number;
  /** Time without a capturing helper, after the first start. */
  gapMs: number;
  restarts: number;
  /** Packets and wire bytes delivered to flowtap. */
  packets: number;
  bytes: number;
}

const ZERO: TcpdumpCounters = { captured: 0, received: 0, kernelDrops: 0, interfaceDrops: 0 };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, wake: { fn: (() => void) | null }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      wake.fn = null;
      resolve();
    }
    wake.fn = done;
  });
}

/** The capture of one interface: its helper, restarts and counters. */
class InterfaceCapture {
  proc: HelperProcess | null = null;
  stopping = false;
  restarts = 0;
  gapMs = 0;
  gapPackets = 0;
  /** Counters of the helpers that have exited. */
  private done: TcpdumpCounters = { ...ZERO };
  private delivered = { packets: 0, bytes: 0 };
  private current: PacketSource | null = null;
  private nextDelayMs: number;
  private readonly wake: { fn: (() => void) | null } = { fn: null };
  private stopTimer: NodeJS.Timeout | null = null;
  /** Counters at the last drop report. */
  reported: TcpdumpCounters & { gapPackets: number } = { ...ZERO, gapPackets: 0 };

  constructor(
    readonly iface: string,
    private readonly exe: string,
    private readonly args: readonly string[],
    private readonly opts: Required<Pick<LiveSourceOptions, 'restartMinMs' | 'restartMaxMs' | 'startTimeoutMs' | 'stopTimeoutMs' | 'stopDelayMs'>>,
    private readonly log: LiveLog | undefined,
  ) {
    this.nextDelayMs = opts.restartMinMs;
  }

  /** Starts a helper and waits until it captures; rejects with a LiveCaptureError. */
  async start(): Promise<void> {
    const p = new HelperProcess(this.exe, this.args, this.iface, listInterfaces);
    this.proc = p;
    if (this.stopping) p.kill('SIGTERM');
    await p.ready(this.opts.startTimeoutMs);
  }

  get counters(): TcpdumpCounters {
    const c = this.proc?.counters ?? ZERO;
    const d = this.done;
    const live = this.proc !== null && this.proc.exit === null;
    return {
      captured: d.captured + (live ? c.captured : 0),
      received: d.received + (live ? c.received : 0),
      kernelDrops: d.kernelDrops + (live ? c.kernelDrops : 0),
      interfaceDrops: d.interfaceDrops + (live ? c.interfaceDrops : 0),
    };
  }

  stats(): InterfaceCaptureStats {
    const cur = this.current?.stats;
    return {
      iface: this.iface,
      up: this.proc !== null && this.proc.running && this.proc.listeningAtMs > 0,
      ...this.counters,
      gapPackets: this.gapPackets,
      gapMs: this.gapMs,
      restarts: this.restarts,
      packets: this.delivered.packets + (cur?.packets ?? 0),
      bytes: this.delivered.bytes + (cur?.bytes ?? 0),
    };
  }

  /** Reads the helper's stream, restarting the helper until stop(). */
  async loop(handler: PacketHandler): Promise<void> {
    for (;;) {
      const proc = this.proc;
      if (proc === null) return;
      let failure: unknown = null;
      let src: PacketSource | null = null;
      try {
        src = await openCaptureStream(this.iface, proc.stdout);
        this.current = src;
        await src.run(handler);
      } catch (err) {
        if (!(err instanceof CaptureError)) {
          proc.kill('SIGKILL');
          throw err;
        }
        failure = err;
      } finally {
        if (src !== null) {
          this.delivered.packets += src.stats.packets;
          this.delivered.bytes += src.stats.bytes;
        }
        this.current = null;
      }
      // A stream that cannot be read any further: end this helper (one that
      // died has already closed it, maybe inside a record, or before its header).
      const unreadable =
        failure instanceof CaptureError && failure.code !== 'E_INPUT_TRUNCATED' && !(failure.code === 'E_INPUT_FORMAT' && failure.message.includes('input is empty'));
      if (failure !== null && proc.running) proc.kill('SIGKILL');
      const exit = await proc.exited;
      this.fold(proc);
      if (this.stopping) {
        if (this.stopTimer !== null) clearTimeout(this.stopTimer);
        if (failure !== null && exit.signal === 'SIGKILL') {
          this.log?.warn(`tcpdump on ${this.iface} did not stop within ${seconds(this.opts.stopTimeoutMs)} of SIGTERM and was killed; its last packet may be cut short`);
        }
        return;
      }
      const why = unreadable ? `wrote a stream that cannot be read (${(failure as Error).message}) and was stopped` : describeExit(exit, proc.messages);
      const ranMs = exit.atMs - (proc.listeningAtMs || exit.atMs);
      if (ranMs >= STABLE_RUN_MS) this.nextDelayMs = this.opts.restartMinMs;
      await this.restart(why, exit.atMs);
    }
  }

  private fold(proc: HelperProcess): void {
    const c = proc.counters;
    const d = this.done;
    d.captured += c.captured;
    d.received += c.received;
    d.kernelDrops += c.kernelDrops;
    d.interfaceDrops += c.interfaceDrops;
  }

  /** Starts a new helper after a delay, retrying with backoff, until one captures or stop(). */
  private async restart(why: string, diedAtMs: number): Promise<void> {
    const before = interfaceCounters(this.iface);
    for (;;) {
      const delay = this.nextDelayMs;
      this.nextDelayMs = Math.min(this.nextDelayMs * 2, this.opts.restartMaxMs);
      await sleep(delay, this.wake);
      if (this.stopping) {
        this.proc = null;
        return;
      }
      try {
        await this.start();
        break;
      } catch (err) {
        if (this.stopping) {
          this.proc = null;
          return;
        }
        const msg = err instanceof Error ? err.message : String(err);
        this.log?.warn(`tcpdump on ${this.iface} ${why}; restarting it failed (${msg}); next try in ${seconds(this.nextDelayMs)}`);
      }
    }
    const proc = this.proc as HelperProcess;
    const gap = Math.max(0, proc.listeningAtMs - diedAtMs);
    const after = interfaceCounters(this.iface);
    let missed = '';
    if (before !== undefined && after !== undefined) {
      const n = Math.max(0, after.rxPackets + after.txPackets - before.rxPackets - before.txPackets);
      this.gapPackets += n;
      missed = ` (${formatCount(n)} packets passed ${this.iface} meanwhile)`;
    }
    this.restarts++;
    this.gapMs += gap;
    this.log?.warn(`tcpdump on ${this.iface} ${why}; restarted; capture gap ${seconds(gap)}${missed}`);
  }

  /** Stops the helper (SIGTERM after the stop delay, or at once with `now`). */
  stop(now = false): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.wake.fn !== null) this.wake.fn();
    const p = this.proc;
    if (p === null || !p.running) return;
    const term = (): void => {
      p.kill('SIGTERM');
      this.stopTimer = setTimeout(() => p.kill('SIGKILL'), this.opts.stopTimeoutMs);
      this.stopTimer.unref();
    };
    const capturing = p.listeningAtMs > 0;
    if (now || !capturing || this.opts.stopDelayMs <= 0) term();
    else this.stopTimer = setTimeout(term, this.opts.stopDelayMs);
  }

  /** Kills the helper at once (process exit). */
  killNow(): void {
    this.proc?.kill('SIGKILL');
  }
}

class LiveStats implements SourceStats {
  constructor(private readonly caps: readonly InterfaceCapture[]) {}
  get packets(): number {
    return this.caps.reduce((n, c) => n + c.stats().packets, 0);
  }
  get bytes(): number {
    return this.caps.reduce((n, c) => n + c.stats().bytes, 0);
  }
  /** Bytes of pcap read are not tracked for live input. */
  get bytesRead(): number {
    return 0;
  }
  get files(): number {
    return this.caps.length;
  }
}

export class LiveSource implements PacketSource {
  readonly name: string;
  readonly stats: SourceStats;
  private readonly caps: InterfaceCapture[];
  private readonly log: LiveLog | undefined;
  private readonly statsIntervalMs: number;
  private started = false;
  private stopped = false;
  private statsTimer: NodeJS.Timeout | null = null;
  private lastReportMs = Date.now();
  private readonly onExit = (): void => {
    for (const c of this.caps) c.killNow();
  };
  private readonly onAbort = (): void => this.stop();

  private constructor(caps: InterfaceCapture[], private readonly opts: LiveSourceOptions) {
    this.caps = caps;
    this.name = caps.map((c) => c.iface).join(',');
    this.stats = new LiveStats(caps);
    this.log = opts.log;
    this.statsIntervalMs = opts.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
  }

  /**
   * Checks the interfaces, tcpdump and the filter, starts one helper per
   * interface and resolves once all are capturing. Rejects with a
   * LiveCaptureError (E_CAPTURE_NO_DEVICE naming the interfaces there are,
   * E_CAPTURE_PERMISSION with the setcap hint, E_CAPTURE_NO_HELPER,
   * E_CAPTURE_DEVICE_DOWN, E_CAPTURE_FAILED) or a BpfError (E_BPF).
   */
  static async open(opts: LiveSourceOptions): Promise<LiveSource> {
    const names = [...new Set(opts.interfaces.map((s) => s.trim()).filter((s) => s !== ''))];
    if (names.length === 0) throw new LiveCaptureError('E_CAPTURE_NO_DEVICE', '', `no network interface given (interfaces here: ${listInterfaces().join(', ')})`);
    for (const n of names) if (!interfaceExists(n)) throw noSuchDevice(n, listInterfaces());
    const exe = findTcpdump(opts.tcpdump);
    if (opts.filter !== undefined && opts.filter.trim() !== '') {
      const linkTypes = new Set(names.map((n) => interfaceLinkType(n) ?? 1));
      for (const lt of linkTypes) await BpfFilter.create(opts.filter, { validateLinkType: lt, tcpdump: exe });
    }
    const timing = {
      restartMinMs: opts.restartMinMs ?? DEFAULT_RESTART_MIN_MS,
      restartMaxMs: opts.restartMaxMs ?? DEFAULT_RESTART_MAX_MS,
      startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      stopTimeoutMs: opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
      stopDelayMs: opts.stopDelayMs ?? (opts.immediate === true ? 0 : DEFAULT_STOP_DELAY_MS),
    };
    const caps = names.map((iface) => {
      const args = tcpdumpArgs({
        iface,
        snaplen: opts.snaplen ?? DEFAULT_SNAPLEN,
        bufferBytes: opts.bufferBytes ?? DEFAULT_CAPTURE_BUFFER,
        promisc: opts.promisc ?? true,
        filter: opts.filter,
        immediate: opts.immediate,
      });
      return new InterfaceCapture(iface, exe, args, timing, opts.log);
    });
    const results = await Promise.allSettled(caps.map((c) => c.start()));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      for (const c of caps) c.stop();
      await Promise.all(caps.map((c) => c.proc?.exited));
      throw (results[failed] as PromiseRejectedResult).reason;
    }
    const src = new LiveSource(caps, opts);
    process.on('exit', src.onExit);
    if (opts.signal !== undefined) {
      if (opts.signal.aborted) src.stop();
      else opts.signal.addEventListener('abort', src.onAbort, { once: true });
    }
    return src;
  }

  /** Process ids of the running helpers, by interface (for tests and diagnostics). */
  helperPids(): Map<string, number> {
    const m = new Map<string, number>();
    for (const c of this.caps) if (c.proc?.running === true && c.proc.pid !== undefined) m.set(c.iface, c.proc.pid);
    return m;
  }

  /** Per-interface counters (cumulative), for metrics and the end-of-run statistics. */
  captureStats(): InterfaceCaptureStats[] {
    return this.caps.map((c) => c.stats());
  }

  /**
   * Delivers the packets of every interface to the handler until stop();
   * resolves once the helpers have exited and everything they wrote was
   * delivered, after the final drop report.
   */
  async run(handler: PacketHandler): Promise<void> {
    if (this.started) throw new Error(`${this.name}: run() called twice`);
    this.started = true;
    if (this.statsIntervalMs > 0 && !this.stopped) {
      this.statsTimer = setInterval(() => void this.periodicReport(), this.statsIntervalMs);
    }
    let error: unknown = null;
    try {
      const results = await Promise.allSettled(
        this.caps.map((c) =>
          c.loop(handler).catch((e: unknown) => {
            this.stop();
            throw e;
          }),
        ),
      );
      const bad = results.find((r) => r.status === 'rejected');
      if (bad !== undefined) error = (bad as PromiseRejectedResult).reason;
    } finally {
      if (this.statsTimer !== null) clearInterval(this.statsTimer);
      this.statsTimer = null;
      process.off('exit', this.onExit);
      this.opts.signal?.removeEventListener('abort', this.onAbort);
    }
    if (error !== null) throw error;
    if (this.opts.finalReport !== false) this.report(true);
  }

  /** Stops capturing: the helpers flush and exit, then run() resolves. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    this.statsTimer = null;
    for (const c of this.caps) c.stop();
  }

  /**
   * Ends the helpers when run() will not be called (e.g. an output failed to
   * open after open()): they get SIGTERM at once; resolves once they exited.
   */
  async close(): Promise<void> {
    if (this.started) throw new Error(`${this.name}: close() after run(); use stop()`);
    this.started = true;
    this.stopped = true;
    for (const c of this.caps) c.stop(true);
    for (const c of this.caps) c.proc?.stdout.resume();
    await Promise.all(this.caps.map((c) => c.proc?.exited));
    process.off('exit', this.onExit);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  /**
   * Asks every helper for its counters (tcpdump reports them on SIGUSR1);
   * resolves once they answered (or after a short wait), when
   * captureStats() has them. Nothing is logged (the metrics endpoint's refresh).
   */
  async refreshCounters(): Promise<void> {
    await Promise.all(this.caps.map((c) => (c.proc !== null ? c.proc.requestStats(STATS_WAIT_MS) : undefined)));
  }

  /** Asks every helper for its counters, then reports drops. */
  async periodicReport(): Promise<void> {
    await this.refreshCounters();
    if (!this.stopped) this.report(false);
  }

  /**
   * One line per interface: a warning when packets were dropped since the
   * last report, otherwise information. `final` is the end-of-run report.
   */
  dropReport(final: boolean): Array<{ level: 'info' | 'warn'; message: string }> {
    const now = Date.now();
    const since = final ? 'in all' : `in the last ${Math.round((now - this.lastReportMs) / 1000)} s`;
    this.lastReportMs = now;
    const out: Array<{ level: 'info' | 'warn'; message: string }> = [];
    for (const c of this.caps) {
      const s = c.stats();
      const r = c.reported;
      const base = final ? { ...ZERO, gapPackets: 0 } : r;
      const kernel = s.kernelDrops - base.kernelDrops;
      const ifd = s.interfaceDrops - base.interfaceDrops;
      const gap = s.gapPackets - base.gapPackets;
      const received = s.received - base.received;
      c.reported = { captured: s.captured, received: s.received, kernelDrops: s.kernelDrops, interfaceDrops: s.interfaceDrops, gapPackets: s.gapPackets };
      const head = `capture on ${c.iface}: ${formatCount(received)} packets received by the filter ${since}`;
      if (kernel + ifd + gap === 0) {
        out.push({ level: 'info', message: `${head}, none dropped` });
        continue;
      }
      const parts: string[] = [];
      if (kernel > 0) parts.push(`${formatCount(kernel)} by the kernel (capture buffer full: raise --capture-buffer, or flowtap is short of CPU)`);
      if (ifd > 0) parts.push(`${formatCount(ifd)} by the interface (missed by the NIC)`);
      if (gap > 0) parts.push(`${formatCount(gap)} passed while tcpdump was restarting`);
      out.push({ level: 'warn', message: `${head}, dropped: ${parts.join('; ')}` });
    }
    return out;
  }

  private report(final: boolean): void {
    if (this.log === undefined) return;
    for (const l of this.dropReport(final)) this.log[l.level](l.message);
  }
}
