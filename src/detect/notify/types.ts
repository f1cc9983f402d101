/**
 * The contract between the alert queue (queue.ts: per-notifier queue,
 * retries with backoff, rate limit, logging) and one destination (Slack,
 * webhook, e-mail, syslog, JSON Lines). A transport only knows how to hand
 * one alert to its destination and say whether that worked: send()
 * connects lazily, never hangs (every wait has a timeout), resolves when
 * the destination accepted the alert and rejects with a NotifyError
 * otherwise. Its name shows the destination without secrets (a webhook's
 * origin, never its path or query).
 */
import type { Alert } from '../alert';

export type NotifyErrorCode =
  /** Name resolution failed, connection refused/reset, socket closed. */
  | 'E_NOTIFY_CONNECT'
  /** No answer in time. */
  | 'E_NOTIFY_TIMEOUT'
  /** The destination said "later" (HTTP 429/5xx, SMTP 4xx). */
  | 'E_NOTIFY_BUSY'
  /** Credentials refused (HTTP 401/403, SMTP authentication). */
  | 'E_NOTIFY_AUTH'
  /** The destination refused this alert (HTTP 400/404/410, SMTP 5xx). */
  | 'E_NOTIFY_REJECTED'
  /** The destination's configuration is unusable. */
  | 'E_NOTIFY_CONFIG';

export class NotifyError extends Error {
  readonly code: NotifyErrorCode;
  /** False when sending the same alert again cannot work until someone changes something. */
  readonly retryable: boolean;
  /** The destination asked to wait this long (HTTP Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(code: NotifyErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'NotifyError';
    this.code = code;
    this.retryable = code === 'E_NOTIFY_CONNECT' || code === 'E_NOTIFY_TIMEOUT' || code === 'E_NOTIFY_BUSY';
    this.retryAfterMs = retryAfterMs;
  }
}

export interface AlertTransport {
  /** "slack hooks.slack.com", "syslog udp://10.0.0.9:514" (never secrets). */
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /** Ends connections. Idempotent. */
  close(): Promise<void>;
}

/** Where notifiers report what the user should know (one line each). */
export interface NotifyLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Any thrown value as a NotifyError (unexpected ones count as connection problems, so they are retried). */
export function asNotifyError(err: unknown): NotifyError {
  if (err instanceof NotifyError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(msg)) return new NotifyError('E_NOTIFY_TIMEOUT', msg);
  return new NotifyError('E_NOTIFY_CONNECT', code !== '' && !msg.includes(code) ? `${code}: ${msg}` : msg);
}
