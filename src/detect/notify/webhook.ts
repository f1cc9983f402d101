/**
 * A generic JSON webhook: one POST per alert, the body being the alert
 * object itself (docs/alerts.md), with the configured extra headers (e.g.
 * Authorization; their values are secrets and never shown). Any 2xx is
 * success; see http.ts for how other answers are retried.
 */
import type { Alert } from '../alert';
import { originOf, postJson } from './http';
import type { AlertTransport } from './types';

export class WebhookTransport implements AlertTransport {
  readonly name: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(url: string, headers: Record<string, string>, timeoutMs: number) {
    this.url = url;
    this.headers = headers;
    this.timeoutMs = timeoutMs;
    this.name = `webhook ${originOf(url)}`;
  }

  async send(a: Alert): Promise<void> {
    await postJson(this.url, JSON.stringify(a), this.headers, this.timeoutMs);
  }

  async close(): Promise<void> {}
}
