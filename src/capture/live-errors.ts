/**
 * Errors of live capture, one stable code each, and the mapping of the
 * capture helper's (tcpdump's) failure messages to them. libpcap's messages
 * (pcap_statustostr and the errbuf texts of pcap-linux.c, as printed by
 * tcpdump 4.9-4.99) are recognised by their wording:
 *
 *   "<if>: No such device exists"                          → E_CAPTURE_NO_DEVICE
 *   "<if>: That device is not up"                          → E_CAPTURE_DEVICE_DOWN
 *   "You don't have permission to capture on that device"
 *   / "... to perform this capture on that device"
 *   / "(socket: Operation not permitted)"                  → E_CAPTURE_PERMISSION
 *   anything else                                          → E_CAPTURE_FAILED
 *
 * A missing interface is a mistake on the command line (exit code 2, like a
 * bad BPF expression); the others are an input that cannot be opened
 * (exit code 1).
 */

import { ExitCode, FlowtapError } from '../util/errors';

export type LiveCaptureErrorCode =
  | 'E_CAPTURE_NO_DEVICE'
  | 'E_CAPTURE_DEVICE_DOWN'
  | 'E_CAPTURE_PERMISSION'
  | 'E_CAPTURE_NO_HELPER'
  | 'E_CAPTURE_FAILED';

export class LiveCaptureError extends FlowtapError {
  declare readonly code: LiveCaptureErrorCode;
  /** The interface concerned ("" when the error is not about one). */
  readonly iface: string;
  /** The exit code the CLI should end with. */
  readonly exitCode: ExitCode;
  constructor(code: LiveCaptureErrorCode, iface: string, message: string) {
    super(code, message);
    this.name = 'LiveCaptureError';
    this.iface = iface;
    this.exitCode = code === 'E_CAPTURE_NO_DEVICE' ? ExitCode.Usage : ExitCode.InputError;
  }
}

/** The setcap hint for running without root. */
export function permissionHint(helper: string): string {
  return `run flowtap as root, or let ${helper} capture without root: setcap cap_net_raw,cap_net_admin=eip ${helper}`;
}

export function noSuchDevice(iface: string, available: readonly string[]): LiveCaptureError {
  const list = available.length > 0 ? available.join(', ') : 'none found';
  return new LiveCaptureError('E_CAPTURE_NO_DEVICE', iface, `no network interface named '${iface}' (interfaces here: ${list})`);
}

export function helperNotFound(tried: readonly string[]): LiveCaptureError {
  return new LiveCaptureError(
    'E_CAPTURE_NO_HELPER',
    '',
    `live capture runs tcpdump, which was not found (tried ${tried.join(', ')}): install it (apt-get install tcpdump)`,
  );
}

/**
 * The error for a helper that failed before capturing, from the lines it
 * wrote on stderr (tcpdump's own "tcpdump: " prefix removed).
 */
export function helperFailure(iface: string, helper: string, lines: readonly string[], available: () => readonly string[]): LiveCaptureError {
  const text = lines.map((l) => l.replace(/^tcpdump: /, '').trim()).filter((l) => l !== '');
  const all = text.join(' ');
  if (/No such device|doesn't exist|no such interface/i.test(all)) return noSuchDevice(iface, available());
  if (/not up\b/i.test(all)) {
    return new LiveCaptureError('E_CAPTURE_DEVICE_DOWN', iface, `network interface ${iface} is down: bring it up (ip link set ${iface} up)`);
  }
  if (/permission|Operation not permitted/i.test(all)) {
    return new LiveCaptureError('E_CAPTURE_PERMISSION', iface, `no permission to capture on ${iface}: ${permissionHint(helper)}`);
  }
  const detail = text.length > 0 ? text.join('; ') : 'it exited without a message';
  return new LiveCaptureError('E_CAPTURE_FAILED', iface, `cannot capture on ${iface}: ${helper}: ${detail}`);
}
