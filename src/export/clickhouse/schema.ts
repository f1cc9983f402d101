/**
 * The ClickHouse table of flow records: its columns (one per field of
 * docs/schema.md, same names), the CREATE TABLE statement, and the mapping of
 * a record to one JSONEachRow line.
 *
 * The layout works on ClickHouse 18.16 (Debian 12's package) and on current
 * releases: addresses are String (18.16 has no IPv4/IPv6 types), times are
 * DateTime('UTC') seconds plus UInt64 millisecond columns (18.16 has no
 * DateTime64), no LowCardinality or codecs. `date` (the UTC day of
 * first_switched) partitions the table by month; the sorting key is
 * (first_switched, src_addr, dst_addr).
 *
 * The mapping never lets one odd value fail a whole batch: a value that does
 * not fit its column (wrong type, negative, out of range, not finite) is left
 * out, so the row gets the column's default (0, '' or []); strings with
 * unpaired UTF-16 surrogates get U+FFFD (ClickHouse refuses such JSON
 * escapes). Record fields without a column are ignored.
 */
import type { FlowRecord } from '../../flow/record';

/** How a column's value is read from the record and checked. */
type Kind = 'string' | 'uint' | 'int' | 'datetime' | 'strings' | 'date';

export interface Column {
  readonly name: string;
  /** ClickHouse type in the CREATE TABLE statement. */
  readonly type: string;
  readonly kind: Kind;
  /** Largest value for integer kinds. */
  readonly max: number;
}

const UINT8 = 255;
const UINT16 = 65535;
const UINT32 = 4294967295;
const SAFE = Number.MAX_SAFE_INTEGER;

const col = (name: string, type: string, kind: Kind, max = 0): Column => ({ name, type, kind, max });
const str = (name: string): Column => col(name, 'String', 'string');

/** Every column flowtap writes, in the order of docs/schema.md, then `date`. */
export const COLUMNS: readonly Column[] = [
  str('protocol'),
  str('src_addr'),
  col('src_port', 'UInt16', 'uint', UINT16),
  str('dst_addr'),
  col('dst_port', 'UInt16', 'uint', UINT16),
  col('master_protocol', 'UInt16', 'uint', UINT16),
  col('detected_protocol', 'UInt16', 'uint', UINT16),
  str('protocol_name'),
  str('category'),
  str('confidence'),
  col('out_pkts', 'UInt64', 'uint', SAFE),
  col('out_bytes', 'UInt64', 'uint', SAFE),
  col('in_pkts', 'UInt64', 'uint', SAFE),
  col('in_bytes', 'UInt64', 'uint', SAFE),
  col('first_switched', "DateTime('UTC')", 'datetime', UINT32),
  col('last_switched', "DateTime('UTC')", 'datetime', UINT32),
  col('flow_id', 'UInt64', 'uint', SAFE),
  col('record_seq', 'UInt32', 'uint', UINT32),
  col('ip_version', 'UInt8', 'uint', UINT8),
  col('ip_protocol', 'UInt8', 'uint', UINT8),
  col('vlan_id', 'UInt16', 'uint', UINT16),
  str('tunnel'),
  col('out_tcp_flags', 'UInt16', 'uint', UINT16),
  col('in_tcp_flags', 'UInt16', 'uint', UINT16),
  col('icmp_type', 'UInt8', 'uint', UINT8),
  col('icmp_code', 'UInt8', 'uint', UINT8),
  col('first_switched_ms', 'UInt64', 'uint', SAFE),
  col('last_switched_ms', 'UInt64', 'uint', SAFE),
  col('duration_ms', 'UInt64', 'uint', SAFE),
  str('flow_end_reason'),
  str('community_id'),
  str('server_name'),
  // DPI metadata (src/dpi/meta.ts), server_name above.
  str('user_agent'),
  str('url'),
  str('http_method'),
  col('http_status', 'UInt16', 'uint', UINT16),
  str('http_content_type'),
  str('server_banner'),
  str('client_banner'),
  str('tls_version'),
  str('tls_supported_versions'),
  str('tls_cipher'),
  str('alpn_advertised'),
  str('alpn_negotiated'),
  str('ja3c'),
  str('ja3s'),
  str('ja4'),
  str('tls_subject'),
  str('tls_issuer'),
  str('tls_server_names'),
  col('tls_not_before', 'Int64', 'int', SAFE),
  col('tls_not_after', 'Int64', 'int', SAFE),
  str('tls_cert_sha1'),
  col('tls_ech', 'UInt8', 'uint', UINT8),
  str('quic_version'),
  str('hassh_c'),
  str('hassh_s'),
  str('bt_hash'),
  col('dns_query_type', 'UInt16', 'uint', UINT16),
  col('dns_rcode', 'UInt16', 'uint', UINT16),
  col('dns_answers', 'Array(String)', 'strings'),
  str('dhcp_fingerprint'),
  str('dhcp_class_ident'),
  str('username'),
  str('smb_version'),
  str('kerberos_realm'),
  str('sip_from'),
  str('sip_to'),
  str('info'),
  col('risks', 'Array(String)', 'strings'),
  col('date', 'Date', 'date'),
];

/** The sorting key: time first (time-range queries), then the addresses. */
export const ORDER_BY = ['first_switched', 'src_addr', 'dst_addr'] as const;

/** A plain ClickHouse identifier (what the table and database names are limited to). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `name` quoted as a ClickHouse identifier. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** `s` as a ClickHouse string literal. */
export function quoteString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** `db`.`table`. */
export function tableRef(database: string, table: string): string {
  return `${quoteIdent(database)}.${quoteIdent(table)}`;
}

/**
 * CREATE TABLE IF NOT EXISTS for the flow table. `date` defaults to the UTC
 * day of first_switched, so rows written by other tools without it still land
 * in the right partition.
 */
export function createTableSql(database: string, table: string): string {
  const cols = COLUMNS.map((c) => `  ${quoteIdent(c.name)} ${c.type}${c.name === 'date' ? ' DEFAULT toDate(first_switched)' : ''}`);
  return (
    `CREATE TABLE IF NOT EXISTS ${tableRef(database, table)}\n(\n${cols.join(',\n')}\n)\n` +
    `ENGINE = MergeTree\nPARTITION BY toYYYYMM(date)\nORDER BY (${ORDER_BY.join(', ')})`
  );
}

let lastDay = -1;
let lastDayText = '';

/** "YYYY-MM-DD" (UTC) of a time in seconds since the epoch. */
export function utcDay(seconds: number): string {
  const day = Math.floor(seconds / 86400);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * 86400_000).toISOString().slice(0, 10);
  }
  return lastDayText;
}

/** The record's values for the given columns, leaving out those that do not fit (the column default applies). */
export function rowObject(r: FlowRecord, columns: readonly Column[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of columns) {
    if (c.kind === 'date') {
      const t = r.first_switched;
      if (Number.isInteger(t) && t >= 0 && t <= UINT32) o.date = utcDay(t);
      continue;
    }
    const v = r[c.name];
    if (v === undefined) continue;
    switch (c.kind) {
      case 'string':
        if (typeof v === 'string') o[c.name] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') o[c.name] = String(v);
        break;
      case 'uint':
      case 'datetime':
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= c.max) o[c.name] = v;
        break;
      case 'int':
        if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= c.max) o[c.name] = v;
        break;
      case 'strings':
        if (Array.isArray(v)) o[c.name] = v.every((x) => typeof x === 'string') ? v : v.filter((x) => typeof x === 'string');
        break;
    }
  }
  return o;
}

/**
 * A JSON escape of an unpaired surrogate (JSON.stringify writes paired ones
 * as characters and unpaired ones as \udXXX), not itself escaped.
 */
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/** The JSONEachRow text of records (one line each) holding the given columns. */
export function rowsJson(records: readonly FlowRecord[], columns: readonly Column[]): string {
  let text = '';
  for (const r of records) text += JSON.stringify(rowObject(r, columns)) + '\n';
  return text.includes('\\u') ? text.replace(LONE_SURROGATE, '$1\\ufffd') : text;
}
