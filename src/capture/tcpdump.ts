/**
 * tcpdump as the live capture helper: where it is, how it is started, and
 * what its standard error says (tcpdump(1), tcpdump 4.9-4.99 with libpcap
 * 1.8-1.10 on Linux).
 *
 * Started as `tcpdump -i <if> -w - -U -s <snaplen> -B <KiB> [-p] [--immediate-mode] -- <filter>`:
 * a classic pcap stream on standard output, flushed after every packet (-U),
 * so nothing waits in stdio buffers on a quiet link. Without
 * --immediate-mode, libpcap reads the kernel's TPACKET_V3 ring a block at a
 * time and the kernel hands over a partly filled block after tcpdump's 1 s
 * timeout: a packet reaches flowtap up to a second late, and on SIGTERM
 * tcpdump leaves the packets of the block not yet handed over unread (so a
 * stop waits that second before SIGTERM, see live-source.ts). With it,
 * every packet is handed over at once, at some cost in CPU per packet.
 *
 * Standard error lines:
 *   "tcpdump: listening on eth1, link-type EN10MB (Ethernet), snapshot length 262144 bytes"
 *     once capturing (after the filter is installed);
 *   on SIGUSR1 (Linux has no SIGINFO), one line:
 *     "tcpdump: 5 packets captured, 7 packets received by filter, 0 packets dropped by kernel[, 2 packets dropped by interface]"
 *   at exit (SIGTERM/SIGINT: tcpdump breaks its loop, flushes the output and
 *   exits 0), the same counters one per line.
 *
 * The counters (libpcap's pcap_stats on Linux, cumulative since the helper
 * started):
 *   captured          packets tcpdump wrote to its output;
 *   received by filter  packets the kernel's socket filter accepted, dropped
 *                     ones included (tp_packets + tp_drops); on lo libpcap
 *                     then discards the outgoing copy of each packet, so it
 *                     exceeds "captured" there;
 *   dropped by kernel packets the kernel accepted but could not queue in the
 *                     capture ring because it was full (tp_drops): the helper,
 *                     or flowtap behind the pipe, did not keep up;
 *   dropped by interface  rx_missed_errors + rx_fifo_errors of the interface
 *                     since the capture started (drops in the NIC before any
 *                     capture point), counted only in promiscuous mode.
 */

import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { helperNotFound } from './live-errors';

const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/**
 * The tcpdump executable: `explicit` when given, else the first tcpdump in
 * PATH, then in the usual system directories (root's PATH has /usr/sbin,
 * a service's may not). Throws LiveCaptureError E_CAPTURE_NO_HELPER.
 */
export function findTcpdump(explicit?: string, path: string = process.env.PATH ?? ''): string {
  const candidates = explicit !== undefined ? [explicit] : [...path.split(delimiter).filter((d) => d !== ''), ...FALLBACK_DIRS].map((d) => join(d, 'tcpdump'));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // Try the next one.
    }
  }
  throw helperNotFound(explicit !== undefined ? [explicit] : ['tcpdump in PATH', ...FALLBACK_DIRS.map((d) => join(d, 'tcpdump'))]);
}

export interface TcpdumpCapture {
  iface: string;
  /** Bytes kept of each packet (-s). */
  snaplen: number;
  /** Kernel capture buffer in bytes (-B, rounded up to KiB); undefined: libpcap's default (2 MiB). */
  bufferBytes?: number;
  /** false adds -p. */
  promisc: boolean;
  /** BPF filter expression, run in the kernel. */
  filter?: string;
  /** --immediate-mode: hand every packet over at once. */
  immediate?: boolean;
}

/** tcpdump's arguments for one interface. */
export function tcpdumpArgs(c: TcpdumpCapture): string[] {
  const args = ['-i', c.iface, '-w', '-', '-U', '-s', String(c.snaplen)];
  if (c.bufferBytes !== undefined) args.push('-B', String(Math.max(1, Math.ceil(c.bufferBytes / 1024))));
  if (!c.promisc) args.push('-p');
  if (c.immediate === true) args.push('--immediate-mode');
  if (c.filter !== undefined && c.filter.trim() !== '') args.push('--', c.filter);
  return args;
}

/** tcpdump's counters (see the module comment); cumulative over one helper's life. */
export interface TcpdumpCounters {
  captured: number;
  received: number;
  kernelDrops: number;
  interfaceDrops: number;
}

export type StderrEvent =
  | { kind: 'listening'; linkType: string }
  | { kind: 'stats'; counters: TcpdumpCounters }
  | { kind: 'message'; text: string };

const COUNTERS: ReadonlyArray<[RegExp, keyof TcpdumpCounters]> = [
  [/(\d+) packets? captured/, 'captured'],
  [/(\d+) packets? received by filter/, 'received'],
  [/(\d+) packets? dropped by kernel/, 'kernelDrops'],
  [/(\d+) packets? dropped by interface/, 'interfaceDrops'],
];

/**
 * Splits tcpdump's standard error into lines and events. The counters are
 * kept as the latest value of each (both the one-line and the multi-line
 * form update them); a 'stats' event follows every line that has the kernel
 * drop count, and finish() emits one more if a later line changed them.
 */
export class TcpdumpStderr {
  readonly counters: TcpdumpCounters = { captured: 0, received: 0, kernelDrops: 0, interfaceDrops: 0 };
  /** Whether any counters were seen. */
  sawStats = false;
  /** The last lines that were neither counters nor "listening" (for error messages). */
  readonly messages: string[] = [];
  private partial = '';
  private dirty = false;

  constructor(private readonly onEvent: (e: StderrEvent) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  /** End of the stream: the last line without a newline, pending counters. */
  finish(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    if (this.dirty) this.emitStats();
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const listening = /^(?:tcpdump: )?listening on \S+, link-type (\S+)/.exec(line);
    if (listening !== null) {
      this.onEvent({ kind: 'listening', linkType: listening[1] });
      return;
    }
    let matched = false;
    for (const [re, key] of COUNTERS) {
      const m = re.exec(line);
      if (m !== null) {
        this.counters[key] = Number(m[1]);
        matched = true;
      }
    }
    if (matched) {
      this.sawStats = true;
      this.dirty = true;
      if (/dropped by kernel/.test(line)) this.emitStats();
      return;
    }
    this.messages.push(line);
    if (this.messages.length > 8) this.messages.shift();
    this.onEvent({ kind: 'message', text: line });
  }

  private emitStats(): void {
    this.dirty = false;
    this.onEvent({ kind: 'stats', counters: { ...this.counters } });
  }
}
