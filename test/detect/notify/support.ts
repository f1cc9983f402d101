/**
 * Shared by the notifier tests: a sample alert, a log that keeps its lines,
 * and an HTTP receiver on an ephemeral port whose answers are scripted.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../../src/detect/alert';
import type { NotifyLog } from '../../../src/detect/notify/types';

export function sampleAlert(over: Partial<Alert> = {}): Alert {
  return {
    rule: 'port-scan',
    severity: 'high',
    src_addr: '10.1.1.66',
    window_start: 1714644000000,
    window_end: 1714644013000,
    raised_at: 1714644013000,
    message: '10.1.1.66 contacted 241 ports on 1 host(s) in 13 s, mostly Skype',
    kind: 'scan',
    triggers: ['port-scan'],
    counts: { flows: 250, dst_ports: 241, dst_hosts: 1, tcp_attempts: 200, tcp_failed: 190, unlabelled: 9 },
    approximate: true,
    applications: [{ name: 'Skype_Teams', flows: 180 }, { name: 'Unknown', flows: 61 }],
    community_ids: ['1:CKjIu74Mo1jEpAo0GJdffO8dfX8=', '1:HqG4YVVR9baSIxQyB5LdC0nEPZ4='],
    ...over,
  };
}

export class MemoryLog implements NotifyLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP server answering each request with the next scripted [status, body, headers] (the last one repeats); 'hang' never answers. */
export class Receiver {
  readonly requests: Received[] = [];
  private server: http.Server | null = null;
  private script: ([number, string, Record<string, string>?] | 'hang')[];
  private readonly hung: http.ServerResponse[] = [];

  constructor(script: ([number, string, Record<string, string>?] | 'hang')[]) {
    this.script = script;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const step = this.script.length > 1 ? this.script.shift() : this.script[0];
        if (step === 'hang' || step === undefined) {
          this.hung.push(res);
          return;
        }
        res.writeHead(step[0], { 'content-type': 'text/plain', ...(step[2] ?? {}) });
        res.end(step[1]);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Waits until cond() holds (checked every 10 ms), failing after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
