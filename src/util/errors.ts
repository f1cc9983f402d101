/**
 * Typed errors with stable codes, used at the edges (files, sockets, config,
 * CLI). The per-packet path never throws: it returns status codes and counts.
 */

export type FlowtapErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_INPUT_OPEN'
  | 'E_INPUT_FORMAT'
  | 'E_INPUT_TRUNCATED'
  | 'E_INPUT_CORRUPT'
  | 'E_OUTPUT'
  | 'E_BPF'
  | 'E_CAPTURE_NO_DEVICE'
  | 'E_CAPTURE_DEVICE_DOWN'
  | 'E_CAPTURE_PERMISSION'
  | 'E_CAPTURE_NO_HELPER'
  | 'E_CAPTURE_FAILED';

export class FlowtapError extends Error {
  readonly code: FlowtapErrorCode;
  constructor(code: FlowtapErrorCode, message: string) {
    super(message);
    this.name = 'FlowtapError';
    this.code = code;
  }
}

/** Bad command line or configuration: exit code 2. */
export class UsageError extends FlowtapError {
  constructor(message: string, code: 'E_USAGE' | 'E_CONFIG' = 'E_USAGE') {
    super(code, message);
    this.name = 'UsageError';
  }
}

/** A capture input that cannot be opened, is not a capture, or is corrupt or truncated. */
export class CaptureError extends FlowtapError {
  /** Path of the capture file ("-" for standard input). */
  readonly file: string;
  /** Byte offset (in the decompressed stream) where the problem was found; -1 when not applicable. */
  readonly offset: number;
  constructor(code: 'E_INPUT_OPEN' | 'E_INPUT_FORMAT' | 'E_INPUT_TRUNCATED' | 'E_INPUT_CORRUPT', file: string, offset: number, detail: string) {
    super(code, offset >= 0 ? `${file}: ${detail} at byte offset ${offset}` : `${file}: ${detail}`);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
  }
}

/** Process exit codes. */
export const enum ExitCode {
  Ok = 0,
  /** An input could not be read completely (corrupt, truncated, unreadable); flows read up to there were output. */
  InputError = 1,
  /** Bad command line or configuration. */
  Usage = 2,
  /** Output could not be written. */
  OutputError = 3,
  /** A network sink dropped records because its disk spool was full. */
  SinkDrops = 4,
}
