/**
 * From the configuration's network outputs to what the export layer takes:
 * each transport's option object (ForwardOptions, ElasticOptions,
 * ClickHouseOptions, IpfixOptions: the transports' own types, re-exported
 * here), the SinkSpec list (src/export/sinks/spec.ts) and the delivery
 * settings. Secrets are revealed here and nowhere else, so these objects
 * must never be logged (a transport's `name` is what messages show). They
 * are plain data (strings, numbers, Buffers): they can cross to the export
 * thread, which a FlowtapConfig (holding Secret objects) cannot.
 */
import type { ForwardOptions } from '../export/fluent/options';
import type { ElasticOptions } from '../export/elastic/elastic-transport';
import type { ClickHouseOptions } from '../export/clickhouse/clickhouse-transport';
import type { IpfixOptions } from '../export/ipfix/ipfix-transport';
import type { DeliverySettings } from '../export/export-sink';
import type { SinkSpec } from '../export/sinks/spec';
import type { ClickHouseOutput, ConfigData, ElasticsearchOutput, FluentdOutput, IpfixOutput, Netflow9Output, TlsConfig } from './types';

export type { ClickHouseOptions, ElasticOptions, ForwardOptions, IpfixOptions };

interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

function clientTls(t: TlsConfig): ClientTls {
  const out: ClientTls = { rejectUnauthorized: t.verify };
  if (t.ca) out.ca = t.ca.data;
  if (t.cert) out.cert = t.cert.data;
  if (t.key) out.key = t.key.reveal();
  return out;
}

export function forwardOptions(o: FluentdOutput): ForwardOptions {
  const out: ForwardOptions = {
    host: o.host,
    port: o.port,
    tag: o.tag,
    encoding: o.encoding,
    mode: o.mode,
    ack: o.ack,
    eventTime: o.eventTime,
    keepalive: o.keepalive,
  };
  if (o.tls) {
    out.tls = clientTls(o.tls);
    if (o.tls.servername !== undefined) out.tls.servername = o.tls.servername;
  }
  if (o.sharedKey) out.sharedKey = o.sharedKey.reveal();
  if (o.selfHostname !== undefined) out.selfHostname = o.selfHostname;
  if (o.username !== undefined) out.username = o.username;
  if (o.password) out.password = o.password.reveal();
  return out;
}

export function elasticOptions(o: ElasticsearchOutput): ElasticOptions {
  const out: ElasticOptions = { url: o.url, indexPrefix: o.indexPrefix, installTemplate: o.installTemplate };
  if (o.username !== undefined) out.username = o.username;
  if (o.password) out.password = o.password.reveal();
  if (o.apiKey) out.apiKey = o.apiKey.reveal();
  if (o.tls) out.tls = clientTls(o.tls);
  return out;
}

export function clickHouseOptions(o: ClickHouseOutput): ClickHouseOptions {
  const out: ClickHouseOptions = { url: o.url, database: o.database, table: o.table, createTable: o.createTable };
  if (o.username !== undefined) out.username = o.username;
  if (o.password) out.password = o.password.reveal();
  if (o.tls) {
    out.tls = { rejectUnauthorized: o.tls.verify };
    if (o.tls.ca) out.tls.ca = o.tls.ca.data;
  }
  return out;
}

export function ipfixOptions(o: IpfixOutput | Netflow9Output): IpfixOptions {
  return {
    protocol: o.type,
    url: o.url,
    observationDomain: o.type === 'ipfix' ? o.observationDomain : o.sourceId,
    mtu: o.mtu,
  };
}

/** One SinkSpec per network output, in the configuration's order (stdout and file outputs are not sinks). */
export function sinkSpecsOf(cfg: Pick<ConfigData, 'outputs'>): SinkSpec[] {
  const specs: SinkSpec[] = [];
  for (const o of cfg.outputs) {
    switch (o.type) {
      case 'fluentd': specs.push({ kind: 'fluentd', options: forwardOptions(o) }); break;
      case 'elasticsearch': specs.push({ kind: 'elasticsearch', options: elasticOptions(o) }); break;
      case 'clickhouse': specs.push({ kind: 'clickhouse', options: clickHouseOptions(o) }); break;
      case 'ipfix':
      case 'netflow9': specs.push({ kind: 'ipfix', options: ipfixOptions(o) }); break;
      default: break;
    }
  }
  return specs;
}

/** The delivery layer's settings; `defaultSpoolRoot` when the file gives no buffer.spool_dir (the CLI's defaultSpoolDir()). */
export function deliveryOf(cfg: Pick<ConfigData, 'buffer'>, defaultSpoolRoot: string): DeliverySettings {
  return { spoolRoot: cfg.buffer.spoolDir ?? defaultSpoolRoot, maxSpoolBytes: cfg.buffer.maxSize, memoryRecords: cfg.buffer.memoryRecords };
}
