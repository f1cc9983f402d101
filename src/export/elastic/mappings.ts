/**
 * Elasticsearch/OpenSearch field mappings for flow records (docs/schema.md):
 * addresses as `ip`, times as `date` in their own unit (epoch_second for
 * first/last_switched, epoch_millis for the *_ms fields and certificate
 * validity), counters as `long`, small numbers as `integer`, names and labels
 * as `keyword`. The DPI metadata fields come from the same table the
 * dissectors and docs use (src/dpi/meta.ts), so a new metadata field is mapped
 * without touching this file. Strings nobody declared become `keyword` through
 * a dynamic template; date detection is off so a string never turns a field
 * into a date by accident.
 *
 * Keyword values longer than ignore_above are kept in _source but not indexed
 * (a keyword term over 32766 UTF-8 bytes would make Elasticsearch refuse the
 * whole document); 8191 characters is the most that always fits.
 */
import { META_FIELDS, type MetaType } from '../../dpi/meta';

/** One field's mapping, as the index template API takes it. */
export type FieldMapping = Record<string, unknown>;

const keyword: FieldMapping = { type: 'keyword', ignore_above: 1024 };
/** Free text that can be long: keyword for aggregations, a text subfield for word search. */
const longText: FieldMapping = { type: 'keyword', ignore_above: 8191, fields: { text: { type: 'text' } } };
const ip: FieldMapping = { type: 'ip' };
const integer: FieldMapping = { type: 'integer' };
const long: FieldMapping = { type: 'long' };
const epochSecond: FieldMapping = { type: 'date', format: 'epoch_second' };
const epochMillis: FieldMapping = { type: 'date', format: 'epoch_millis' };

/** The fields every record has (docs/schema.md, main table), plus @timestamp added by the transport. */
const CORE_FIELDS: Record<string, FieldMapping> = {
  '@timestamp': { type: 'date' },
  protocol: keyword,
  src_addr: ip,
  src_port: integer,
  dst_addr: ip,
  dst_port: integer,
  master_protocol: integer,
  detected_protocol: integer,
  protocol_name: keyword,
  category: keyword,
  confidence: keyword,
  out_pkts: long,
  out_bytes: long,
  in_pkts: long,
  in_bytes: long,
  first_switched: epochSecond,
  last_switched: epochSecond,
  flow_id: long,
  record_seq: integer,
  ip_version: integer,
  ip_protocol: integer,
  vlan_id: integer,
  tunnel: keyword,
  out_tcp_flags: integer,
  in_tcp_flags: integer,
  icmp_type: integer,
  icmp_code: integer,
  first_switched_ms: epochMillis,
  last_switched_ms: epochMillis,
  duration_ms: long,
  flow_end_reason: keyword,
  community_id: keyword,
  server_name: keyword,
  risks: keyword,
};

/** DPI metadata fields whose generic mapping (by JSON type) is not the best one. */
const META_OVERRIDES: Record<string, FieldMapping> = {
  user_agent: longText,
  url: longText,
  info: longText,
  server_banner: longText,
  client_banner: longText,
  tls_subject: longText,
  tls_issuer: longText,
  tls_server_names: longText,
  /* Certificates carry dates outside any sane range now and then; a bad one must not cost the flow record. */
  tls_not_before: { ...epochMillis, ignore_malformed: true },
  tls_not_after: { ...epochMillis, ignore_malformed: true },
  http_status: integer,
  dns_query_type: integer,
  dns_rcode: integer,
  tls_ech: integer,
};

const BY_META_TYPE: Record<MetaType, FieldMapping> = {
  string: keyword,
  'string[]': keyword,
  number: long,
};

/** Every known field's mapping: core fields, then the DPI metadata fields. */
export function fieldMappings(): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = { ...CORE_FIELDS };
  for (const [name, [type]] of Object.entries(META_FIELDS) as [string, readonly [MetaType, string]][]) {
    if (out[name] !== undefined) continue;
    out[name] = META_OVERRIDES[name] ?? BY_META_TYPE[type];
  }
  return out;
}

/** The `mappings` object of the index template. */
export function flowMappings(templateVersion: number): Record<string, unknown> {
  return {
    _meta: { managed_by: 'flowtap', template_version: templateVersion, description: 'flowtap flow records, fields as in docs/schema.md' },
    dynamic: true,
    date_detection: false,
    dynamic_templates: [
      { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
    ],
    properties: fieldMappings(),
  };
}
