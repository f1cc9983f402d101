/**
 * Alerts to the flow sinks: every fluentd output also gets the alerts, under
 * its tag with ".alert" appended (ndpi.flow → ndpi.flow.alert), so they land
 * beside the flows but apart from them. Each is its own Delivery (memory,
 * disk spool under <spool root>/<fluentd-host-port-tag.alert>, retries) on
 * the main thread: alerts are few, so they do not need the export thread,
 * and they go out at once (no linger). Alert objects travel as they are
 * (docs/alerts.md, "The alert"); their fluentd event time is raised_at.
 *
 * Other sinks get no alerts: Elasticsearch and ClickHouse hold flow
 * documents and rows (their index template and table are the flow schema),
 * IPFIX has no place for them, and JSON Lines outputs keep one record kind
 * per line (alerts as JSON Lines: --alerts <file> or alerts.notify.file).
 */
import { join } from 'node:path';
import type { Alert } from '../detect/alert';
import type { FlowRecord } from '../flow/record';
import type { DeliverySettings } from './export-sink';
import { Delivery, type DrainResult, type SinkStats } from './sinks/delivery';
import { createTransport } from './sinks/factory';
import { spoolKey, type SinkSpec } from './sinks/spec';
import type { SendResult, SinkLog, Transport } from './sinks/transport';

/** One alert sink at the end of the run. */
export interface AlertSinkReport {
  stats: SinkStats;
  drain: DrainResult;
  spoolDir: string;
}

/** A transport under another name (the alert sink's messages say which tag they are about). */
class Renamed implements Transport {
  readonly maxBatch: number;
  readonly lingerMs = 0;
  constructor(private readonly t: Transport, readonly name: string) {
    this.maxBatch = t.maxBatch;
  }

  send(batch: readonly FlowRecord[]): Promise<SendResult | void> {
    return this.t.send(batch);
  }

  close(): Promise<void> {
    return this.t.close();
  }
}

/** The fluentd specs of a run, turned into the specs of their alert sinks (tag + ".alert"). */
export function alertSinkSpecs(specs: readonly SinkSpec[]): SinkSpec[] {
  const out: SinkSpec[] = [];
  for (const s of specs) {
    if (s.kind === 'fluentd') out.push({ kind: 'fluentd', options: { ...s.options, tag: `${s.options.tag ?? 'ndpi.flow'}.alert`, lingerMs: 0 } });
  }
  return out;
}

export class AlertSinks {
  private readonly sinks: { delivery: Delivery; spoolDir: string }[] = [];

  /** Builds the alert sinks (none when no fluentd output); throws what createTransport throws for a bad spec. */
  constructor(specs: readonly SinkSpec[], settings: DeliverySettings, log: SinkLog) {
    for (const spec of alertSinkSpecs(specs)) {
      const t = createTransport(spec, log);
      const tag = spec.kind === 'fluentd' ? spec.options.tag : '';
      const spoolDir = join(settings.spoolRoot, spoolKey(spec));
      const delivery = new Delivery(new Renamed(t, `${t.name} tag ${tag}`), {
        spoolDir,
        maxSpoolBytes: settings.maxSpoolBytes,
        memoryRecords: settings.memoryRecords,
        retryMinMs: settings.retryMinMs,
        retryMaxMs: settings.retryMaxMs,
        log,
        drainSummary: false,
      });
      this.sinks.push({ delivery, spoolDir });
    }
  }

  get size(): number {
    return this.sinks.length;
  }

  /** Picks up alerts an earlier run left in the spools. */
  async start(): Promise<void> {
    for (const s of this.sinks) await s.delivery.start();
  }

  /** Never blocks: the alert is queued for every sink. */
  push(a: Alert): void {
    const rec = a as unknown as FlowRecord;
    for (const s of this.sinks) s.delivery.push(rec);
  }

  /** Delivers what is queued for up to timeoutMs, keeps the rest in the spools. */
  async drain(timeoutMs: number): Promise<AlertSinkReport[]> {
    const results = await Promise.all(this.sinks.map((s) => s.delivery.drain(timeoutMs)));
    return this.sinks.map((s, i) => ({ stats: s.delivery.stats(), drain: results[i], spoolDir: s.spoolDir }));
  }

  /** Stops waiting (second SIGINT/SIGTERM): what is pending goes to the spools now. */
  abort(): void {
    for (const s of this.sinks) void s.delivery.abort();
  }
}
