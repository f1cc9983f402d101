/**
 * Live capture in the flowtap command (`-i eth1,eth2`): which input names
 * are network interfaces, the live settings of a run, opening the capture,
 * capturing into the probe until SIGINT/SIGTERM, and the capture figures of
 * the end-of-run statistics. The capture itself (one tcpdump per interface,
 * restarts, drop counters) is src/capture/live-source.ts.
 *
 * A name given with -i (or in input.interface) is a network interface when
 * no file of that name exists and it either is an interface here or has
 * neither '/' nor '.' in it: a mistyped interface then gets "no network
 * interface named ... (interfaces here: ...)" rather than "cannot open", and
 * ndff's `-i capture.pcap` still reads the file. Interfaces and capture
 * files cannot be mixed in one run.
 *
 * While capturing, flows expire on the wall clock (live-expiry.ts: on this
 * thread, or in each worker thread with -n N) and text lines written on
 * this thread are flushed every second (JSON Lines, and text lines with
 * several workers, are the export thread's: it writes them out once the
 * rings are idle for a second). The BPF filter runs in the kernel (tcpdump
 * installs it), not in the Probe.
 */
import { existsSync } from 'node:fs';
import { LiveSource, type InterfaceCaptureStats } from '../capture/live-source';
import { LiveCaptureError } from '../capture/live-errors';
import { interfaceExists } from '../capture/net-interfaces';
import { startLiveExpiry, type ExpiryTarget } from '../capture/live-expiry';
import type { PacketHandler } from '../capture/source';
import type { InputConfig } from '../config/types';
import type { Logger } from '../util/log';
import { ExitCode, FlowtapError, UsageError } from '../util/errors';

/** The live capture settings of a run. */
export interface LivePlan {
  interfaces: string[];
  /** Bytes kept of each packet. */
  snaplen: number;
  promisc: boolean;
  /** Kernel capture buffer per interface, in bytes. */
  bufferBytes: number;
}

/** True when an -i / input.interface name means a network interface (see the module comment). */
export function isInterfaceName(name: string): boolean {
  if (name === '' || name === '-') return false;
  return !existsSync(name) && (interfaceExists(name) || !/[/.]/.test(name));
}

/**
 * The inputs of a run: capture files (input.read, and input.interface names
 * that are files), or a live capture. Throws UsageError when both are given.
 */
export function inputsOf(input: InputConfig): { files: string[]; live?: LivePlan } {
  const interfaces: string[] = [];
  const files = [...input.read];
  for (const name of input.interface) (isInterfaceName(name) ? interfaces : files).push(name);
  if (interfaces.length === 0) return { files };
  if (files.length > 0) {
    throw new UsageError(`live capture (${interfaces.join(', ')}) and capture files (${files.join(', ')}) cannot be mixed in one run: run flowtap once for each`);
  }
  return { files, live: { interfaces, snaplen: input.snaplen, promisc: input.promiscuous, bufferBytes: input.bufferSize } };
}

export interface CaptureLine {
  level: 'info' | 'warn';
  message: string;
}

export class LiveCapture {
  private constructor(readonly source: LiveSource, private readonly log: Logger) {}

  /**
   * Checks the interfaces and the filter and starts capturing (nothing is
   * read until run()); on failure logs one line and returns the exit code
   * (2: missing interface or bad filter; 1: no permission, capture failed).
   */
  static async open(plan: LivePlan, filter: string | undefined, log: Logger, signal: AbortSignal): Promise<LiveCapture | number> {
    try {
      const source = await LiveSource.open({
        interfaces: plan.interfaces,
        filter,
        snaplen: plan.snaplen,
        promisc: plan.promisc,
        bufferBytes: plan.bufferBytes,
        signal,
        log,
        finalReport: false,
      });
      return new LiveCapture(source, log);
    } catch (err) {
      if (err instanceof LiveCaptureError) {
        log.error(err.message);
        return err.exitCode;
      }
      if (err instanceof FlowtapError) {
        log.error(err.message);
        return err instanceof UsageError || err.code === 'E_BPF' ? ExitCode.Usage : ExitCode.InputError;
      }
      throw err;
    }
  }

  /**
   * Captures into the handler (the Probe, or the workers' dispatcher) until
   * SIGINT/SIGTERM (the abort signal given to open()), then resolves once
   * every packet the helpers captured was handed over. `expiry`: what runs
   * expiry on the wall clock on this thread (the Probe; null when worker
   * threads do it themselves). Returns 0, or 1 when the capture failed (logged).
   */
  async run(handler: PacketHandler, expiry: ExpiryTarget | null, outputs: ReadonlyArray<{ flush(): void }>): Promise<number> {
    this.log.info(`capturing on ${this.source.name}`);
    const timer = expiry !== null ? startLiveExpiry(expiry) : null;
    const flusher = outputs.length > 0 ? setInterval(() => outputs.forEach((o) => o.flush()), 1000) : null;
    try {
      await this.source.run(handler);
      return ExitCode.Ok;
    } catch (err) {
      if (!(err instanceof FlowtapError)) throw err;
      this.log.error(`capture on ${this.source.name} failed: ${err.message}`);
      return ExitCode.InputError;
    } finally {
      timer?.stop();
      if (flusher !== null) clearInterval(flusher);
    }
  }

  /** Ends the helpers when run() will not be called (an output could not be opened). */
  close(): Promise<void> {
    return this.source.close();
  }

  /** Per-interface counters (cumulative), for --stats-json and the metrics. */
  stats(): InterfaceCaptureStats[] {
    return this.source.captureStats();
  }

  /** The end-of-run drop report: one line per interface, a warning when packets were lost. */
  summaryLines(): CaptureLine[] {
    return this.source.dropReport(true);
  }
}
