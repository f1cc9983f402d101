/**
 * ClickHouse destination (`--clickhouse <url>`): each batch of flow records
 * becomes one `INSERT INTO db.table (columns) FORMAT JSONEachRow` over the
 * HTTP interface (http.ts), gzip-compressed. The table layout is schema.ts;
 * it works on ClickHouse 18.16 and current releases.
 *
 * First send: DESCRIBE the table; when it does not exist and createTable is
 * on, CREATE TABLE IF NOT EXISTS (an existing table is never altered or
 * recreated). Rows carry the columns flowtap writes that the table has, so a
 * table made by hand with fewer columns works (the missing ones are named
 * once in the log); MATERIALIZED and ALIAS columns are left to the server.
 *
 * Resent batches. ClickHouse deduplicates repeated inserts only for
 * Replicated tables, and this table is a plain MergeTree (a
 * ReplacingMergeTree would only drop duplicates at some later merge, so
 * sums would be wrong until then, and its key would have to be the whole
 * flow identity). Instead, when an insert fails after its body was sent (a
 * timeout, a lost connection, a 5xx) the outcome is unknown, and the
 * delivery layer will send the same batch again: before inserting it again,
 * this transport asks the server whether the first attempt is still running
 * (system.processes, by the insert's query_id, one per batch: then
 * E_SINK_BUSY) and which days of the batch already hold its rows, and
 * inserts only the rest. An insert of at most max_insert_block_size
 * (1,048,576) rows is atomic per partition (a month of `date`), so one
 * witness row per day decides. Not covered: a resend by a new process (from
 * the disk spool after a restart) after an unknown outcome, and a resend
 * that overtakes the first attempt's body still on its way to the server
 * (ClickHouse lists an insert only once its data arrived); such duplicates
 * are the rows with equal community_id, first_switched_ms, flow_id and
 * record_seq.
 *
 * Errors: socket and TLS failures, timeouts (http.ts); ClickHouse's answers
 * by exception code: credentials/rights → E_SINK_AUTH, data that does not
 * parse → E_SINK_REJECTED, unknown table/database/column → E_SINK_CONFIG,
 * overload → E_SINK_BUSY, other 5xx → E_SINK_BUSY. Queueing, the disk spool
 * and retries belong to the delivery layer (src/export/sinks/delivery.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzip } from 'node:zlib';
import type { FlowRecord } from '../../flow/record';
import { SinkError, type SinkLog, type Transport } from '../sinks/transport';
import { ClickHouseHttp, parseClickHouseUrl, replyError, type ClickHouseReply, type ClickHouseTls } from './http';
import { COLUMNS, IDENTIFIER, createTableSql, quoteIdent, quoteString, rowsJson, tableRef, utcDay, type Column } from './schema';

export interface ClickHouseOptions {
  /** http(s)://[user:password@]host:8123[/database]; credentials in the URL are accepted and never shown in `name`. */
  url: string;
  /** Default 'default' (or the URL path). */
  database: string;
  /** Default 'flows'. */
  table: string;
  /** Sent as X-ClickHouse-User / X-ClickHouse-Key; override the URL's userinfo. */
  username?: string;
  password?: string;
  tls?: ClickHouseTls;
  /** CREATE TABLE IF NOT EXISTS on the first send (default true). */
  createTable: boolean;
  /** Defaults 10_000 / 1000 / 30_000. */
  maxBatch?: number;
  lingerMs?: number;
  timeoutMs?: number;
}

export const CLICKHOUSE_DEFAULTS = {
  database: 'default',
  table: 'flows',
  createTable: true,
  maxBatch: 10_000,
  lingerMs: 1000,
  timeoutMs: 30_000,
} as const;

/** What the constructor takes: the URL, anything else defaults (CLICKHOUSE_DEFAULTS, the URL). */
export type ClickHouseInit = Pick<ClickHouseOptions, 'url'> & Partial<ClickHouseOptions>;

/** Below ClickHouse's max_insert_block_size (1,048,576), so one insert is one block per partition. */
const MAX_BATCH_LIMIT = 1_000_000;

/** Columns that identify a stored record (for the check before a resend). */
const IDENTITY = ['first_switched', 'first_switched_ms', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'flow_id', 'record_seq', 'last_switched_ms', 'out_pkts', 'in_pkts'];

/** ClickHouse's ACCESS_DENIED (the user lacks a privilege; newer releases). */
const ACCESS_DENIED = 497;

/** Batches whose insert ended with an unknown outcome, remembered at most. */
const MAX_DOUBTS = 16;

interface TableInfo {
  /** The columns rows carry (flowtap's, that the table has and accepts). */
  columns: readonly Column[];
  insertSql: string;
  /** IDENTITY columns the table has. */
  identity: readonly string[];
}

export class ClickHouseTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;
  readonly database: string;
  readonly table: string;
  private readonly http: ClickHouseHttp;
  private readonly createTable: boolean;
  private readonly user: string;
  private readonly password: string | undefined;
  private readonly log: SinkLog | undefined;
  private readonly idPrefix = `flowtap-${randomBytes(6).toString('hex')}`;
  private info: TableInfo | null = null;
  /** Batch keys whose last insert may or may not have landed. */
  private readonly doubts = new Set<string>();
  private closed = false;

  constructor(options: ClickHouseInit, log?: SinkLog) {
    const ep = parseClickHouseUrl(options.url);
    this.database = options.database ?? ep.database ?? CLICKHOUSE_DEFAULTS.database;
    this.table = options.table ?? CLICKHOUSE_DEFAULTS.table;
    this.name = `clickhouse ${ep.origin}/${this.database}.${this.table}`;
    for (const [what, v] of [['database', this.database], ['table', this.table]] as const) {
      if (!IDENTIFIER.test(v)) {
        throw new SinkError('E_SINK_CONFIG', `clickhouse ${ep.origin}: ${what} name "${v}" is not a plain identifier (letters, digits and _, not starting with a digit)`);
      }
    }
    this.maxBatch = options.maxBatch ?? CLICKHOUSE_DEFAULTS.maxBatch;
    this.lingerMs = options.lingerMs ?? CLICKHOUSE_DEFAULTS.lingerMs;
    const timeoutMs = options.timeoutMs ?? CLICKHOUSE_DEFAULTS.timeoutMs;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1 || this.maxBatch > MAX_BATCH_LIMIT || !(timeoutMs > 0) || !(this.lingerMs >= 0)) {
      throw new SinkError('E_SINK_CONFIG', `${this.name}: maxBatch must be 1 to ${MAX_BATCH_LIMIT}, timeoutMs above 0 and lingerMs 0 or more`);
    }
    this.createTable = options.createTable ?? CLICKHOUSE_DEFAULTS.createTable;
    const username = options.username ?? ep.username;
    this.password = options.password ?? ep.password;
    this.user = username ?? 'default';
    this.log = log;
    this.http = new ClickHouseHttp(ep, this.name, timeoutMs, username ?? (this.password !== undefined ? 'default' : undefined), this.password, options.tls);
  }

  async send(batch: readonly FlowRecord[]): Promise<void> {
    if (this.closed) throw new SinkError('E_SINK_CONNECT', `${this.name}: transport closed`);
    if (batch.length === 0) return;
    const info = this.info ?? (await this.prepare());
    const key = batchKey(batch);
    const queryId = `${this.idPrefix}-${createHash('sha1').update(key).digest('hex').slice(0, 20)}`;
    let rows = batch;
    if (this.doubts.has(key)) {
      rows = await this.notYetStored(batch, info, queryId);
      if (rows.length === 0) {
        this.doubts.delete(key);
        return;
      }
    }
    const body = await gzipText(rowsJson(rows, info.columns));
    const progress = { bodySent: false };
    let reply: ClickHouseReply;
    try {
      reply = await this.http.request({ params: { query: info.insertSql, query_id: queryId }, body, gzip: true, progress });
    } catch (e) {
      if (progress.bodySent) this.doubt(key);
      throw e;
    }
    if (reply.status >= 200 && reply.status <= 299) {
      this.doubts.delete(key);
      return;
    }
    const err = replyError(this.name, `while inserting ${rows.length} records into ${this.database}.${this.table}`, reply, 'E_SINK_REJECTED', this.user, this.password);
    if (err.code === 'E_SINK_CONFIG') this.info = null;
    if (err.code === 'E_SINK_BUSY' && reply.code !== 216) this.doubt(key);
    throw err;
  }

  /** Ends connections; pending sends reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.http.close();
  }

  private doubt(key: string): void {
    this.doubts.add(key);
    if (this.doubts.size > MAX_DOUBTS) this.doubts.delete(this.doubts.values().next().value as string);
  }

  /** Finds (and creates, when allowed and absent) the table; decides the insert's columns. */
  private async prepare(): Promise<TableInfo> {
    const ref = `${this.database}.${this.table}`;
    let described = await this.describe();
    if (described === 'denied') {
      this.log?.warn(`user "${this.user}" may not read the columns of ${ref}; assuming the table has flowtap's layout`);
      described = COLUMNS.map((c) => ({ name: c.name, default_type: c.name === 'date' ? 'DEFAULT' : '' }));
    }
    if (described === null) {
      if (!this.createTable) {
        throw new SinkError('E_SINK_CONFIG', `${this.name}: table ${ref} does not exist; create it, or let flowtap create it (create_table: true)`);
      }
      await this.statement(createTableSql(this.database, this.table), `while creating table ${ref}`);
      this.log?.info(`created table ${ref}`);
      described = await this.describe();
      if (described === null || described === 'denied') throw new SinkError('E_SINK_CONFIG', `${this.name}: table ${ref} cannot be read after CREATE TABLE`);
    }
    const present = new Set(described.map((c) => c.name));
    const insertable = new Set<string>();
    for (const c of described) if (c.default_type !== 'MATERIALIZED' && c.default_type !== 'ALIAS') insertable.add(c.name);
    const columns = COLUMNS.filter((c) => insertable.has(c.name));
    if (columns.length === 0) {
      throw new SinkError('E_SINK_CONFIG', `${this.name}: table ${ref} has none of flowtap's columns (src_addr, first_switched ...); use another table name or let flowtap create the table`);
    }
    const missing = COLUMNS.filter((c) => !present.has(c.name)).map((c) => c.name);
    if (missing.length > 0) this.log?.warn(`table ${ref} has no column for ${missing.join(', ')}: these fields are not stored`);
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    const info: TableInfo = {
      columns,
      insertSql: `INSERT INTO ${tableRef(this.database, this.table)} (${names}) FORMAT JSONEachRow`,
      identity: IDENTITY.filter((n) => insertable.has(n)),
    };
    this.info = info;
    return info;
  }

  /** The table's columns; null when the table does not exist, 'denied' when the user may not see them. */
  private async describe(): Promise<Array<{ name: string; default_type: string }> | null | 'denied'> {
    const ref = `${this.database}.${this.table}`;
    const what = `while looking up table ${ref}`;
    const reply = await this.http.request({ params: {}, body: `DESCRIBE TABLE ${tableRef(this.database, this.table)} FORMAT JSONEachRow` });
    if (reply.code === 60) return null;
    if (reply.code === ACCESS_DENIED) return 'denied';
    if (reply.code === 81) {
      throw new SinkError('E_SINK_CONFIG', `${this.name}: database ${this.database} does not exist; create it (CREATE DATABASE ${this.database}) or name another one`);
    }
    if (reply.status < 200 || reply.status > 299) throw replyError(this.name, what, reply, 'E_SINK_CONFIG', this.user, this.password);
    try {
      return jsonRows(reply.body).map((r) => ({ name: String(r.name), default_type: String(r.default_type ?? '') }));
    } catch {
      throw new SinkError('E_SINK_PROTOCOL', `${this.name}: the answer ${what} is not ClickHouse's JSONEachRow`);
    }
  }

  private async statement(sql: string, what: string): Promise<string> {
    const reply = await this.http.request({ params: {}, body: sql });
    if (reply.status < 200 || reply.status > 299) throw replyError(this.name, what, reply, 'E_SINK_CONFIG', this.user, this.password);
    return reply.body;
  }

  /**
   * The records of a batch whose earlier insert had an unknown outcome that
   * are not stored yet: E_SINK_BUSY while that insert still runs; else the
   * batch without the days whose witness row (their first record) is in the
   * table.
   */
  private async notYetStored(batch: readonly FlowRecord[], info: TableInfo, queryId: string): Promise<readonly FlowRecord[]> {
    const running = await this.http.request({ params: {}, body: `SELECT count() FROM system.processes WHERE query_id = ${quoteString(queryId)}` });
    if (running.status >= 200 && running.status <= 299 && running.body.trim() !== '0') {
      throw new SinkError('E_SINK_BUSY', `${this.name}: the previous insert of this batch is still running on the server`);
    }
    if (info.identity.length === 0) return batch;
    const days = new Map<string, FlowRecord[]>();
    for (const r of batch) {
      const d = dayOf(r);
      const list = days.get(d);
      if (list === undefined) days.set(d, [r]);
      else list.push(r);
    }
    const witnesses = [...days.values()].map((list) => list[0]);
    if (!witnesses.every((w) => info.identity.every((n) => sqlValue(n, w[n]) !== null))) return batch;
    const tuple = (r: FlowRecord): string => `(${info.identity.map((n) => sqlValue(n, r[n]) as string).join(', ')})`;
    const cols = info.identity.map(quoteIdent).join(', ');
    const sql =
      `SELECT ${info.identity.map((n) => (n === 'first_switched' ? `toUInt32(${quoteIdent(n)})` : quoteIdent(n))).join(', ')} ` +
      `FROM ${tableRef(this.database, this.table)} WHERE (${cols}) IN (${witnesses.map(tuple).join(', ')}) FORMAT TabSeparated`;
    let text: string;
    try {
      text = await this.statement(sql, `while checking which records of a resent batch are stored in ${this.database}.${this.table}`);
    } catch (e) {
      if (!(e instanceof SinkError) || (e.code !== 'E_SINK_AUTH' && e.code !== 'E_SINK_CONFIG')) throw e;
      const why = e.message.startsWith(`${this.name}: `) ? e.message.slice(this.name.length + 2) : e.message;
      this.log?.warn(`${why}; sending the whole batch again, some records may be stored twice`);
      return batch;
    }
    const found = new Set(text.split('\n').filter((l) => l !== ''));
    const stored = new Set<string>();
    for (const [d, list] of days) {
      const w = list[0];
      const line = info.identity.map((n) => String(w[n])).join('\t');
      if (found.has(line)) stored.add(d);
    }
    if (stored.size === 0) return batch;
    const rest = batch.filter((r) => !stored.has(dayOf(r)));
    this.log?.info(`${batch.length - rest.length} records of a resent batch were already stored by the interrupted insert; not inserted again`);
    return rest;
  }
}

/** The UTC day of a record (its `date`): no partition of the table is finer. */
function dayOf(r: FlowRecord): string {
  return Number.isInteger(r.first_switched) ? utcDay(r.first_switched) : '';
}

/** Identifies a batch across resends (also when rebuilt from the disk spool). */
function batchKey(batch: readonly FlowRecord[]): string {
  const id = (r: FlowRecord): string => `${r.flow_id}/${r.record_seq}/${r.first_switched_ms}/${r.community_id}/${r.src_addr}/${r.dst_addr}`;
  return `${batch.length}|${id(batch[0])}|${id(batch[batch.length - 1])}`;
}

/** A record value as an SQL literal of its identity column; null when it is not one flowtap writes as is. */
function sqlValue(column: string, v: unknown): string | null {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) return null;
    return column === 'first_switched' ? `toDateTime(${v})` : String(v);
  }
  return typeof v === 'string' && !/[\t\n\\]/.test(v) ? quoteString(v) : null;
}

function jsonRows(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function gzipText(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(text, { level: 1 }, (err, out) => (err ? reject(err) : resolve(out))));
}
