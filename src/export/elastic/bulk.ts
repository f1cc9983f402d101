/**
 * The `_bulk` request body and answer for flow records (Elasticsearch bulk
 * API, also OpenSearch's): NDJSON, one action line and one document line per
 * record, every line ended by "\n" (the last one too, or the server refuses
 * the request).
 *
 * - Action `create` with a deterministic `_id`: a batch sent again after a
 *   timeout or a partial failure (the delivery layer resends whole batches)
 *   gets 409 version conflicts for the documents that already made it instead
 *   of indexing them twice; `create` is also the only action data streams
 *   accept. `index` would overwrite instead, which costs a reindex per
 *   duplicate and a new version. The id is a hash of community_id,
 *   first_switched_ms, record_seq and flow_id: unique per record within a run
 *   (flow_id) and stable across resends. The same capture read twice gives
 *   the same ids, so reading it again adds nothing; two probes seeing the same
 *   flow give different ids unless their flow numbers and clocks agree to the
 *   millisecond. Explicit ids cost Elasticsearch an id lookup per document,
 *   a price worth paying for not duplicating flows.
 * - Daily indices <prefix>-YYYY.MM.DD by the record's first_switched_ms in
 *   UTC (the packet clock, like fluentd's logstash_format uses the event time).
 * - `@timestamp` (ISO 8601 UTC, from first_switched_ms) is added first in each
 *   document; the record object itself is not modified.
 */
import { createHash } from 'node:crypto';
import type { FlowRecord } from '../../flow/record';

const DAY_MS = 86_400_000;

/** Names daily indices; remembers the last day, since consecutive records are almost always on the same one. */
export class DailyIndex {
  private readonly prefix: string;
  private dayStart = NaN;
  private current = '';

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  name(ms: number): string {
    if (ms >= this.dayStart && ms < this.dayStart + DAY_MS) return this.current;
    const d = new Date(ms);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    this.dayStart = Date.UTC(y, m - 1, day);
    this.current = `${this.prefix}-${String(y).padStart(4, '0')}.${m < 10 ? '0' : ''}${m}.${day < 10 ? '0' : ''}${day}`;
    return this.current;
  }
}

/** The record's time in ms: first_switched_ms, else first_switched in seconds, else now. */
export function recordTimeMs(rec: FlowRecord): number {
  if (Number.isFinite(rec.first_switched_ms)) return rec.first_switched_ms;
  if (Number.isFinite(rec.first_switched)) return rec.first_switched * 1000;
  return Date.now();
}

/** Deterministic document id (see the header): 27 characters of base64url. */
export function documentId(rec: FlowRecord): string {
  return createHash('sha1')
    .update(`${rec.community_id}|${rec.first_switched_ms}|${rec.record_seq}|${rec.flow_id}`)
    .digest('base64url');
}

/** The action line and the document line of one record, each ended by "\n". */
export function bulkEntry(rec: FlowRecord, index: DailyIndex): string {
  const ms = recordTimeMs(rec);
  const json = JSON.stringify(rec);
  const stamp = `{"@timestamp":"${new Date(ms).toISOString()}"`;
  const doc = json.length > 2 ? `${stamp},${json.slice(1)}` : `${stamp}}`;
  return `{"create":{"_index":"${index.name(ms)}","_id":"${documentId(rec)}"}}\n${doc}\n`;
}

/** Fields of the answer the transport reads (it asks for only these with filter_path). */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error';

export interface BulkItemResult {
  status: number;
  /** "type: reason" of the item's error, when it failed. */
  error?: string;
  errorType?: string;
}

/**
 * The per-item results of a `_bulk` answer, in request order. Returns null
 * when the answer is not a bulk answer for `expected` items (a proxy page, a
 * truncated body).
 */
export function parseBulkAnswer(body: string, expected: number): { errors: boolean; items: BulkItemResult[] } | null {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return null;
  }
  if (j === null || typeof j !== 'object') return null;
  const o = j as { errors?: unknown; items?: unknown };
  if (typeof o.errors !== 'boolean' || !Array.isArray(o.items) || o.items.length !== expected) return null;
  const items: BulkItemResult[] = [];
  for (const it of o.items as unknown[]) {
    if (it === null || typeof it !== 'object') return null;
    const op = Object.values(it as Record<string, unknown>)[0] as { status?: unknown; error?: unknown } | undefined;
    if (op === undefined || op === null || typeof op.status !== 'number') return null;
    const r: BulkItemResult = { status: op.status };
    if (op.error !== undefined && op.error !== null) {
      if (typeof op.error === 'object') {
        const e = op.error as { type?: unknown; reason?: unknown; caused_by?: { reason?: unknown } };
        const type = typeof e.type === 'string' ? e.type : 'error';
        r.errorType = type;
        const cause = typeof e.caused_by?.reason === 'string' ? ` (${e.caused_by.reason})` : '';
        r.error = `${type}: ${typeof e.reason === 'string' ? e.reason : ''}${cause}`;
      } else {
        r.error = String(op.error);
      }
    }
    items.push(r);
  }
  return { errors: o.errors, items };
}
