/**
 * Helpers for the ClickHouse tests: records of real captures (`node
 * dist/cli.js --format jsonl`), the form a record has once stored (every
 * column, defaults for absent fields), and reading a table back in that form.
 */
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { COLUMNS } from '../../../src/export/clickhouse/schema';
import type { ClickHouseServer } from '../../support/clickhouse-server';
import { CORPUS, flowtap, parseJsonl, ROOT } from '../../cli/helpers';

export const SAMPLE_PCAP = join(ROOT, 'samples', 'sample.pcap');
/** A corpus capture with IPv6, TLS/QUIC/DNS metadata and flow risks. */
export const ANDROID_PCAP = join(CORPUS, 'android.pcap');

/** The records `flowtap -r <pcap> --format jsonl` prints. */
export function capture(pcap: string): FlowRecord[] {
  const run = flowtap(['-r', pcap, '--format', 'jsonl', '-q']);
  if (run.code !== 0) throw new Error(`flowtap -r ${pcap} failed (exit ${run.code}): ${run.stderr.trim()}`);
  return parseJsonl(run.stdout);
}

/** The columns compared after a round trip (`date` is derived, checked on its own). */
export const STORED = COLUMNS.filter((c) => c.name !== 'date');

function defaultOf(kind: string): unknown {
  return kind === 'string' ? '' : kind === 'strings' ? [] : 0;
}

/** A record as the table holds it: every column, the record's value or the column's default. */
export function storedForm(r: FlowRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of STORED) out[c.name] = r[c.name] ?? defaultOf(c.kind);
  return out;
}

/** SELECT list giving every stored column as JSON: DateTime as seconds, 64-bit integers unquoted later. */
export function selectList(columns = STORED): string {
  return columns.map((c) => (c.kind === 'datetime' ? `toUInt32(${c.name}) AS ${c.name}_s` : c.name)).join(', ');
}

/** One JSONEachRow row of selectList() back to the stored form. */
export function fromRow(row: Record<string, unknown>, columns = STORED): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = c.kind === 'datetime' ? row[`${c.name}_s`] : row[c.name];
    out[c.name] = c.kind === 'uint' || c.kind === 'int' || c.kind === 'datetime' ? Number(v) : v;
  }
  return out;
}

export function jsonRows(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every row of db.table in the stored form, with `date` and any extra columns asked for. */
export async function readTable(server: ClickHouseServer, ref: string, extra: string[] = [], where = ''): Promise<Array<Record<string, unknown>>> {
  const extras = extra.length > 0 ? ', ' + extra.join(', ') : '';
  const text = await server.query(`SELECT ${selectList()}${extras} FROM ${ref}${where !== '' ? ` WHERE ${where}` : ''} FORMAT JSONEachRow`);
  return jsonRows(text);
}
