/**
 * The HTTP endpoint of a running probe: GET /healthz (JSON status) and
 * GET /metrics (Prometheus text exposition format 0.0.4: "# HELP" and
 * "# TYPE" once per metric family, then its samples; label values escape
 * backslash, double quote and newline, HELP texts backslash and newline;
 * values are Go-style floats, with NaN, +Inf and -Inf).
 *
 * The numbers come from the caller's collect() at each request: nothing is
 * kept here. /healthz answers 200 with {"status": ...} unless collect() says
 * "down" or fails (503), so a restart policy acts only on a probe that is
 * not working at all; "degraded" (a capture helper restarting, a sink
 * failing) is still 200 and shows in the body.
 *
 * listen: "host:port", "[v6addr]:port", ":port" (every address) or a port
 * alone (127.0.0.1), as the configuration's metrics.listen, or that key
 * already parsed ({host, port}).
 *
 * Ignored: content negotiation (OpenMetrics, protobuf), compression, auth
 * (bind it to a private address).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../util/errors';

export interface CaptureMetrics {
  interface: string;
  /** A capture helper is running. */
  up: boolean;
  /** Packets the kernel filter accepted. */
  received: number;
  /** Dropped because the capture ring was full. */
  kernelDrops: number;
  /** Missed by the NIC (promiscuous mode only). */
  interfaceDrops: number;
  /** Passed the interface while the capture helper was restarting (estimate). */
  helperDrops: number;
  restarts: number;
}

export interface SinkMetrics {
  /** The sink's name ("fluentd", "clickhouse[1]" ...). */
  name: string;
  /** "up", "retrying", "failing". */
  state?: string;
  delivered: number;
  errors: number;
  rejected?: number;
  dropped: number;
  /** Records not yet delivered (in memory and spooled). */
  pending?: number;
  spooledBytes: number;
  /** Age of the oldest undelivered record, in seconds. */
  lagSeconds: number;
  retries?: number;
}

export interface Metrics {
  /** Default "ok". */
  status?: 'ok' | 'degraded' | 'stopping' | 'down';
  packets: number;
  bytes: number;
  filtered?: number;
  malformed?: number;
  flowsActive: number;
  flowsTotal: number;
  records: number;
  capture?: readonly CaptureMetrics[];
  sinks?: readonly SinkMetrics[];
  /** Extra fields for /healthz (e.g. the version). */
  info?: Readonly<Record<string, string | number | boolean>>;
}

export interface MetricsServer {
  /** Address and port actually bound (port 0 picks one). */
  readonly address: string;
  readonly port: number;
  /** "http://host:port" (IPv6 in brackets). */
  readonly url: string;
  close(): Promise<void>;
}

/** Parses metrics.listen / --metrics-listen: "host:port", "[v6]:port", ":port" or "port". */
export function parseListen(listen: string): { host: string; port: number } {
  const s = listen.trim();
  let host: string;
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6 !== null) {
    host = v6[1];
    port = v6[2];
  } else if (/^\d+$/.test(s)) {
    host = '127.0.0.1';
    port = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i < 0 || s.indexOf(':') !== i) throw new UsageError(`metrics listen address '${listen}': expected host:port, [v6]:port, :port or a port`);
    host = s.slice(0, i) === '' ? '::' : s.slice(0, i);
    port = s.slice(i + 1);
  }
  const p = /^\d+$/.test(port) ? Number(port) : NaN;
  if (!(p >= 0 && p <= 65535)) throw new UsageError(`metrics listen address '${listen}': expected a port number 0-65535, got '${port}'`);
  return { host, port: p };
}

/** Starts the endpoint; rejects with a UsageError naming the address when it cannot listen. */
export async function startMetricsServer(listen: string | { host: string; port: number }, collect: () => Metrics): Promise<MetricsServer> {
  const { host, port } = typeof listen === 'string' ? parseListen(listen) : listen;
  const shownListen = typeof listen === 'string' ? listen : `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const started = Date.now();
  const server: Server = createServer((req, res) => handle(req, res, collect, started));
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.message;
      reject(new UsageError(`metrics endpoint: cannot listen on ${shownListen}: ${why}`));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.unref();
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    address: a.address,
    port: a.port,
    url: `http://${shown}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, collect: () => Metrics, started: number): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/healthz') {
    send(res, req, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  const uptime = (Date.now() - started) / 1000;
  let m: Metrics;
  try {
    m = collect();
  } catch (e) {
    const body = path === '/healthz' ? JSON.stringify({ status: 'down', uptime_s: uptime, error: e instanceof Error ? e.message : String(e) }) + '\n' : '# collecting the metrics failed\n';
    send(res, req, 503, path === '/healthz' ? 'application/json' : 'text/plain; charset=utf-8', body);
    return;
  }
  if (path === '/healthz') {
    const status = m.status ?? 'ok';
    send(res, req, status === 'down' ? 503 : 200, 'application/json', JSON.stringify(health(m, status, uptime)) + '\n');
    return;
  }
  send(res, req, 200, 'text/plain; version=0.0.4; charset=utf-8', formatMetrics(m, uptime));
}

function send(res: ServerResponse, req: IncomingMessage, code: number, type: string, body: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}

function health(m: Metrics, status: string, uptime: number): Record<string, unknown> {
  return {
    status,
    uptime_s: Math.round(uptime * 1000) / 1000,
    ...(m.info ?? {}),
    packets: m.packets,
    flows_active: m.flowsActive,
    records: m.records,
    capture: (m.capture ?? []).map((c) => ({ interface: c.interface, up: c.up, drops: c.kernelDrops + c.interfaceDrops + c.helperDrops, restarts: c.restarts })),
    sinks: (m.sinks ?? []).map((s) => ({ name: s.name, state: s.state ?? 'up', lag_s: s.lagSeconds, dropped: s.dropped })),
  };
}

type Labels = Readonly<Record<string, string>>;

/** Builds one exposition: families in order, each with HELP, TYPE and its samples. */
class Exposition {
  private readonly out: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<[Labels, number]>): void {
    this.out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.out.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  one(name: string, type: 'counter' | 'gauge', help: string, value: number | undefined): void {
    if (value !== undefined) this.family(name, type, help, [[{}, value]]);
  }

  text(): string {
    return this.out.join('\n') + '\n';
  }
}

export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',')}}`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The /metrics body for m (uptime in seconds). */
export function formatMetrics(m: Metrics, uptimeSeconds: number): string {
  const e = new Exposition();
  const mem = process.memoryUsage();
  e.one('flowtap_up', 'gauge', 'Whether the probe is working (1) or not (0).', m.status === 'down' ? 0 : 1);
  e.one('flowtap_uptime_seconds', 'gauge', 'Seconds since the metrics endpoint started.', uptimeSeconds);
  e.one('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss);
  e.one('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.', Math.round((Date.now() - process.uptime() * 1000) / 10) / 100);
  e.one('flowtap_packets_total', 'counter', 'Packets received from the capture.', m.packets);
  e.one('flowtap_bytes_total', 'counter', 'Bytes (on the wire) of the packets received.', m.bytes);
  e.one('flowtap_packets_filtered_total', 'counter', 'Packets the BPF filter rejected in flowtap (live capture filters in the kernel).', m.filtered);
  e.one('flowtap_packets_malformed_total', 'counter', 'Packets that could not be decoded.', m.malformed);
  e.one('flowtap_flows_active', 'gauge', 'Flows in the flow table now.', m.flowsActive);
  e.one('flowtap_flows_total', 'counter', 'Flows created.', m.flowsTotal);
  e.one('flowtap_records_total', 'counter', 'Flow records written.', m.records);
  const cap = m.capture ?? [];
  if (cap.length > 0) {
    const by = (f: (c: CaptureMetrics) => number): Array<[Labels, number]> => cap.map((c) => [{ interface: c.interface }, f(c)]);
    e.family('flowtap_capture_up', 'gauge', 'Whether the capture helper of the interface is running.', by((c) => (c.up ? 1 : 0)));
    e.family('flowtap_capture_received_total', 'counter', 'Packets the kernel capture filter accepted on the interface (dropped ones included).', by((c) => c.received));
    e.family(
      'flowtap_capture_drops_total',
      'counter',
      'Packets lost by the capture: kind="kernel": capture ring full; kind="interface": missed by the NIC (promiscuous mode only); kind="helper": passed the interface while the capture helper was restarting (estimate).',
      cap.flatMap((c): Array<[Labels, number]> => [
        [{ interface: c.interface, kind: 'kernel' }, c.kernelDrops],
        [{ interface: c.interface, kind: 'interface' }, c.interfaceDrops],
        [{ interface: c.interface, kind: 'helper' }, c.helperDrops],
      ]),
    );
    e.family('flowtap_capture_restarts_total', 'counter', 'Times the capture helper of the interface was restarted.', by((c) => c.restarts));
  }
  const sinks = m.sinks ?? [];
  if (sinks.length > 0) {
    const by = (f: (s: SinkMetrics) => number | undefined): Array<[Labels, number]> =>
      sinks.filter((s) => f(s) !== undefined).map((s) => [{ sink: s.name }, f(s) as number]);
    e.family('flowtap_sink_up', 'gauge', 'Whether the last send to the sink worked (1) or it is retrying or failing (0).', by((s) => (s.state === undefined || s.state === 'up' ? 1 : 0)));
    e.family('flowtap_sink_delivered_total', 'counter', 'Records the sink accepted.', by((s) => s.delivered));
    e.family('flowtap_sink_errors_total', 'counter', 'Failed sends to the sink.', by((s) => s.errors));
    if (sinks.some((s) => s.rejected !== undefined)) e.family('flowtap_sink_rejected_total', 'counter', 'Records the sink refused one by one.', by((s) => s.rejected));
    if (sinks.some((s) => s.retries !== undefined)) e.family('flowtap_sink_retries_total', 'counter', 'Sends repeated after a failure.', by((s) => s.retries));
    e.family('flowtap_sink_dropped_total', 'counter', 'Records lost for the sink (spool full or unwritable).', by((s) => s.dropped));
    if (sinks.some((s) => s.pending !== undefined)) e.family('flowtap_sink_pending_records', 'gauge', 'Records not yet delivered to the sink (in memory and spooled).', by((s) => s.pending));
    e.family('flowtap_sink_spooled_bytes', 'gauge', 'Bytes waiting in the sink\'s disk spool.', by((s) => s.spooledBytes));
    e.family('flowtap_sink_lag_seconds', 'gauge', 'Age of the oldest record not yet delivered to the sink.', by((s) => s.lagSeconds));
  }
  return e.text();
}
