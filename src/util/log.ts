/**
 * flowtap's logger: messages with a level (error, warn, info, debug), one
 * line each, to standard error and optionally to the local syslog.
 *
 * Standard error: "flowtap: <message>" ("flowtap: warning: ..." for warnings,
 * "flowtap: debug: ..." for debug), as the CLI's other messages. Under
 * systemd, when standard error is the journal (JOURNAL_STREAM names its
 * device and inode, systemd.exec(5)), each line is "<N><message>" with the
 * syslog severity N (3 error, 4 warning, 6 info, 7 debug), which journald
 * turns into the entry's priority (sd-daemon(3)); the unit name already
 * says who wrote it.
 *
 * Syslog: Node has no Unix datagram sockets (node:dgram is UDP only) and
 * /dev/log is one, so messages go through one long-running logger(1)
 * (util-linux, Debian's bsdutils) reading lines on its standard input:
 *   logger --prio-prefix -t flowtap --id=<pid> -u /dev/log -S 8192
 * Each line starts with "<PRI>" (facility * 8 + severity, RFC 5424 section
 * 6.2.1); logger sends it to the socket in the local format rsyslog and
 * journald read there ("<PRI>Mmm dd hh:mm:ss flowtap[pid]: message", the
 * RFC 3164 layout). Sending UDP to 127.0.0.1:514 instead would need
 * rsyslog's UDP input, which Debian leaves off. If logger is missing or
 * exits (no /dev/log, syslog restarting), one warning goes to standard error
 * and it is started again for a later message, at most every 30 s; messages
 * meanwhile reach standard error only.
 *
 * Newlines in a message become spaces: one message is one line everywhere.
 */

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from './errors';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** syslog severities (RFC 5424 table 2). */
const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 };
const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** syslog facilities (RFC 5424 table 1) by name. */
export const FACILITIES: Readonly<Record<string, number>> = {
  user: 1, daemon: 3, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

const SYSLOG_RETRY_MS = 30_000;

export interface SyslogOptions {
  /** Unix datagram socket (default /dev/log). */
  socket?: string;
  /** Facility name (default daemon). */
  facility?: string;
  /** Tag (default the logger's name). */
  tag?: string;
  /** The logger(1) executable (default "logger"). */
  command?: string;
}

export interface LoggerOptions {
  /** Least severe level written (default info). */
  level?: LogLevel;
  /** Prefix on standard error and syslog tag (default "flowtap"). */
  name?: string;
  /** Where lines go (default process.stderr); null: nowhere but syslog. */
  stderr?: { write(s: string): unknown } | null;
  /** Write "<N>" severity prefixes for journald (default: when standard error is the journal). */
  journal?: boolean;
  /** Environment for JOURNAL_STREAM (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Also log to syslog (true: with the defaults). */
  syslog?: boolean | SyslogOptions;
}

/** Parses a level name (the CLI's --log-level, the configuration's log.level). */
export function parseLogLevel(s: string, option = '--log-level'): LogLevel {
  const l = s.trim().toLowerCase();
  if (l === 'warning') return 'warn';
  if ((LOG_LEVELS as readonly string[]).includes(l)) return l as LogLevel;
  throw new UsageError(`${option}: expected one of ${LOG_LEVELS.join(', ')}, got '${s}'`);
}

/**
 * True when JOURNAL_STREAM ("<device>:<inode>", set by systemd for a
 * service whose output goes to the journal) is the file open on `fd`.
 */
export function isJournalStream(env: Readonly<Record<string, string | undefined>>, fd = 2): boolean {
  const js = env.JOURNAL_STREAM;
  if (js === undefined || !/^\d+:\d+$/.test(js)) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return js === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

export class Logger {
  readonly level: LogLevel;
  private readonly name: string;
  private readonly out: { write(s: string): unknown } | null;
  private readonly journal: boolean;
  private readonly syslog: Required<SyslogOptions> | null;
  private readonly facility: number;
  private child: ChildProcessByStdio<Writable, null, Readable> | null = null;
  private childFailedAtMs = -Infinity;
  private childStderr = '';

  constructor(opts: LoggerOptions = {}) {
    this.level = opts.level ?? 'info';
    this.name = opts.name ?? 'flowtap';
    this.out = opts.stderr === undefined ? process.stderr : opts.stderr;
    this.journal = opts.journal ?? (this.out === process.stderr && isJournalStream(opts.env ?? process.env, 2));
    if (opts.syslog === undefined || opts.syslog === false) {
      this.syslog = null;
      this.facility = 0;
    } else {
      const s = opts.syslog === true ? {} : opts.syslog;
      const facility = s.facility ?? 'daemon';
      const f = FACILITIES[facility];
      if (f === undefined) throw new UsageError(`syslog facility: expected one of ${Object.keys(FACILITIES).join(', ')}, got '${facility}'`);
      this.facility = f;
      this.syslog = { socket: s.socket ?? '/dev/log', facility, tag: s.tag ?? this.name, command: s.command ?? 'logger' };
    }
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  error(message: string): void {
    this.write('error', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  debug(message: string): void {
    this.write('debug', message);
  }

  write(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const text = message.replace(/\r?\n/g, ' ');
    if (this.out !== null) {
      if (this.journal) this.out.write(`<${SEVERITY[level]}>${text}\n`);
      else this.out.write(`${this.name}: ${level === 'warn' ? 'warning: ' : level === 'debug' ? 'debug: ' : ''}${text}\n`);
    }
    if (this.syslog !== null) this.toSyslog(level, text);
  }

  /** Ends the syslog helper after it has sent what it was given (resolves when it has exited). */
  close(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (c === null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        c.kill('SIGKILL');
        resolve();
      }, 2000);
      t.unref();
      c.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      c.stdin.end();
    });
  }

  private toSyslog(level: LogLevel, text: string): void {
    const c = this.child ?? this.startSyslog();
    if (c === null) return;
    c.stdin.write(`<${this.facility * 8 + SEVERITY[level]}>${text}\n`);
  }

  private startSyslog(): ChildProcessByStdio<Writable, null, Readable> | null {
    const s = this.syslog;
    if (s === null || Date.now() - this.childFailedAtMs < SYSLOG_RETRY_MS) return null;
    const args = ['--prio-prefix', '-t', s.tag, `--id=${process.pid}`, '-u', s.socket, '--socket-errors=on', '-S', '8192'];
    const c = spawn(s.command, args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    this.childStderr = '';
    c.stderr.on('data', (d: Buffer) => {
      if (this.childStderr.length < 500) this.childStderr += d.toString('utf8');
    });
    c.stdin.on('error', () => undefined);
    const failed = (why: string): void => {
      if (this.child !== c) return;
      this.child = null;
      this.childFailedAtMs = Date.now();
      const detail = this.childStderr.trim().replace(/\s+/g, ' ');
      this.out?.write(`${this.name}: warning: syslog: ${why}${detail !== '' ? ` (${detail})` : ''}; messages go to standard error only for now\n`);
    };
    c.on('error', (e: NodeJS.ErrnoException) => failed(e.code === 'ENOENT' ? `${s.command} (util-linux) is not installed` : `cannot run ${s.command}: ${e.message}`));
    c.on('close', (code: number | null) => failed(`${s.command} stopped (exit code ${code ?? 'signal'}) writing to ${s.socket}`));
    this.child = c;
    return c;
  }
}
