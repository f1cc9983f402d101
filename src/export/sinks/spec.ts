/**
 * What a network sink is, as plain data: the kind of destination and the
 * option object of its transport. The CLI (and the YAML configuration) build
 * these; they cross to the export thread in workerData (no functions: TLS
 * material as strings or Buffers), where factory.ts turns each into its
 * Transport. spoolKey() names the sink's spool directory after its
 * destination, so records kept for one collector are never sent to another.
 */
import type { ForwardInit } from '../fluent/forward-transport';
import type { ElasticInit } from '../elastic/elastic-transport';
import type { ClickHouseInit } from '../clickhouse/clickhouse-transport';
import type { IpfixOptions } from '../ipfix/ipfix-transport';

/** The options are what each transport's constructor takes (every field but the destination has a default). */
export type SinkSpec =
  | { kind: 'fluentd'; options: ForwardInit }
  | { kind: 'elasticsearch'; options: ElasticInit }
  | { kind: 'clickhouse'; options: ClickHouseInit }
  | { kind: 'ipfix'; options: IpfixOptions }
  /**
   * A transport from a module (tests, embedding): `require(module).createTransport(options)`.
   * `id` names its spool directory.
   */
  | { kind: 'module'; module: string; options?: unknown; id: string };

export type SinkKind = SinkSpec['kind'];

/** Characters kept in a spool directory name; anything else becomes '_'. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'udp:': 4739 };

function urlKey(url: string, defaultPort?: number): string {
  try {
    const u = new URL(url);
    const port = u.port !== '' ? Number(u.port) : defaultPort ?? DEFAULT_PORTS[u.protocol] ?? 0;
    return `${u.hostname}-${port}${u.pathname !== '/' && u.pathname !== '' ? safe(u.pathname) : ''}`;
  } catch {
    return url;
  }
}

/** The sink's spool directory name (inside the spool root), e.g. "fluentd-10.0.0.5-24224". */
export function spoolKey(spec: SinkSpec): string {
  switch (spec.kind) {
    case 'fluentd':
      return safe(`fluentd-${spec.options.host}-${spec.options.port ?? 24224}-${spec.options.tag ?? 'ndpi.flow'}`);
    case 'elasticsearch':
      return safe(`elasticsearch-${urlKey(spec.options.url)}-${spec.options.indexPrefix ?? 'flowtap'}`);
    case 'clickhouse':
      return safe(`clickhouse-${urlKey(spec.options.url)}${spec.options.database !== undefined ? `-${spec.options.database}` : ''}-${spec.options.table ?? 'flows'}`);
    case 'ipfix':
      return safe(`${spec.options.protocol}-${urlKey(spec.options.url, spec.options.protocol === 'netflow9' ? 2055 : 4739)}`);
    case 'module':
      return safe(`module-${spec.id}`);
  }
}
