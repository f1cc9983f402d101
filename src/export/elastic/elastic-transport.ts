/**
 * Elasticsearch / OpenSearch destination (`--elasticsearch <url>`): flow
 * records go to daily indices <prefix>-YYYY.MM.DD through the `_bulk` API
 * (bulk.ts), after the index template was made sure of on the first send
 * (template.ts). One send() is one batch: it resolves when every record is
 * in the index or permanently refused one by one (SendResult.rejected).
 *
 * Whole-request answers: 2xx → read the items; 429 and 5xx → E_SINK_BUSY;
 * 401/403 → E_SINK_AUTH; 404/405 → E_SINK_CONFIG (not an Elasticsearch
 * endpoint); other 4xx → E_SINK_REJECTED; socket failures → E_SINK_CONNECT,
 * E_SINK_TLS or E_SINK_TIMEOUT (http-client.ts).
 *
 * Items: 2xx, and 409 on `create` (the document is already there: a resend),
 * are delivered. 429 and 5xx items are sent again within this send, up to
 * itemRetries times with a short backoff; if some still fail, send() rejects
 * with E_SINK_BUSY and the delivery layer resends the whole batch (the
 * delivered ones then answer 409). 401/403 items reject the send with
 * E_SINK_AUTH and index_not_found items (automatic index creation off) with
 * E_SINK_CONFIG, since every record would meet the same fate. Any other item
 * error (400 mapper_parsing_exception ...) is a refusal of that record:
 * counted in SendResult.rejected with the first reason, not retried.
 *
 * Queueing, the disk spool and retrying whole batches belong to the delivery
 * layer around this transport (src/export/sinks/delivery.ts).
 */
import type { FlowRecord } from '../../flow/record';
import { SinkError, type SendResult, type SinkLog, type Transport } from '../sinks/transport';
import { BULK_FILTER_PATH, DailyIndex, bulkEntry, parseBulkAnswer } from './bulk';
import { EsHttp, httpError, type EsTlsOptions } from './http-client';
import { installTemplate } from './template';

export interface ElasticOptions {
  /** http(s)://host:9200[/path-prefix]; credentials in the URL userinfo are accepted and stripped from `name`. */
  url: string;
  /** Default 'flowtap' → flowtap-YYYY.MM.DD. */
  indexPrefix: string;
  /** Authorization: Basic. */
  username?: string;
  password?: string;
  /** Authorization: ApiKey; the encoded key, or "id:api_key". */
  apiKey?: string;
  tls?: EsTlsOptions;
  /** Install the index template on the first send (default true). */
  installTemplate: boolean;
  /** Defaults 2000 / 1000 / 30_000. */
  maxBatch?: number;
  lingerMs?: number;
  timeoutMs?: number;
  /** Per-item retries of 429/5xx item statuses within one send (default 3, with a short backoff). */
  itemRetries?: number;
}

export const ELASTIC_DEFAULTS = {
  indexPrefix: 'flowtap',
  installTemplate: true,
  maxBatch: 2000,
  lingerMs: 1000,
  timeoutMs: 30_000,
  itemRetries: 3,
} as const;

/** What the constructor takes: the URL, anything else defaults (ELASTIC_DEFAULTS). */
export type ElasticInit = Pick<ElasticOptions, 'url'> & Partial<ElasticOptions>;

/** First wait before retrying failed items; doubles per round, at most ITEM_BACKOFF_MAX_MS. */
const ITEM_BACKOFF_MS = 200;
const ITEM_BACKOFF_MAX_MS = 2000;

/**
 * Elasticsearch index names: lowercase, not starting with - _ +, none of
 * \ / * ? " < > | , # : or space, at most 255 bytes (the date suffix adds 11).
 */
function checkPrefix(prefix: string, where: string): void {
  const bad = prefix === '' || prefix !== prefix.toLowerCase() || /^[-_+.]/.test(prefix) || /[\\/*?"<>|,# :]/.test(prefix) || Buffer.byteLength(prefix) > 244;
  if (bad) {
    throw new SinkError('E_SINK_CONFIG', `${where}: index prefix "${prefix}" is not usable in an index name (lowercase, no \\ / * ? " < > | , # : or spaces, not starting with - _ + .)`);
  }
}

export class ElasticTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;
  private readonly http: EsHttp;
  private readonly prefix: string;
  private readonly index: DailyIndex;
  private readonly itemRetries: number;
  private readonly log: SinkLog | undefined;
  private templatePending: boolean;
  private closed = false;
  private readonly sleeps = new Set<() => void>();

  constructor(options: ElasticInit, log?: SinkLog) {
    const timeoutMs = options.timeoutMs ?? ELASTIC_DEFAULTS.timeoutMs;
    this.http = new EsHttp({
      url: options.url,
      username: options.username,
      password: options.password,
      apiKey: options.apiKey,
      tls: options.tls,
      timeoutMs,
    });
    this.name = `elasticsearch ${this.http.url.display}`;
    this.prefix = options.indexPrefix ?? ELASTIC_DEFAULTS.indexPrefix;
    checkPrefix(this.prefix, this.name);
    this.index = new DailyIndex(this.prefix);
    this.maxBatch = options.maxBatch ?? ELASTIC_DEFAULTS.maxBatch;
    this.lingerMs = options.lingerMs ?? ELASTIC_DEFAULTS.lingerMs;
    this.itemRetries = options.itemRetries ?? ELASTIC_DEFAULTS.itemRetries;
    this.templatePending = options.installTemplate ?? ELASTIC_DEFAULTS.installTemplate;
    this.log = log;
    if (options.tls?.rejectUnauthorized === false && this.http.url.secure) {
      log?.warn('TLS certificate verification is off: anyone between flowtap and the server can read and change what is sent');
    }
    if (!(this.maxBatch >= 1) || !(timeoutMs > 0) || !(this.itemRetries >= 0)) {
      throw new SinkError('E_SINK_CONFIG', `${this.name}: maxBatch must be at least 1, timeoutMs above 0 and itemRetries 0 or more`);
    }
  }

  async send(batch: readonly FlowRecord[]): Promise<SendResult> {
    if (this.closed) throw new SinkError('E_SINK_CONNECT', `${this.name}: transport closed`);
    if (batch.length === 0) return { rejected: 0 };
    if (this.templatePending) {
      await installTemplate(this.http, this.prefix, this.log);
      this.templatePending = false;
    }
    const entries = batch.map((rec) => bulkEntry(rec, this.index));
    let pending = entries.map((_, i) => i);
    let rejected = 0;
    let reason: string | undefined;
    for (let round = 0; ; round++) {
      const reply = await this.http.request('POST', `/_bulk?filter_path=${BULK_FILTER_PATH}`, pending.map((i) => entries[i]).join(''), 'application/x-ndjson');
      if (reply.status < 200 || reply.status > 299) throw httpError(this.name, 'bulk request', reply);
      const answer = parseBulkAnswer(reply.body, pending.length);
      if (answer === null) {
        throw new SinkError('E_SINK_PROTOCOL', `${this.name}: the answer to the bulk request is not a bulk answer for ${pending.length} documents (HTTP ${reply.status}, ${reply.body.length} bytes)`);
      }
      if (!answer.errors) break;
      const again: number[] = [];
      let againReason = '';
      for (let k = 0; k < answer.items.length; k++) {
        const item = answer.items[k];
        const s = item.status;
        if ((s >= 200 && s <= 299) || s === 409) continue;
        const why = `HTTP ${s}${item.error !== undefined ? ` ${item.error}` : ''}`;
        if (s === 429 || s >= 500) {
          again.push(pending[k]);
          if (againReason === '') againReason = why;
        } else if (s === 401 || s === 403) {
          throw new SinkError('E_SINK_AUTH', `${this.name}: writing documents is not allowed for this user or API key (${why}); grant the create_doc privilege on ${this.prefix}-*`);
        } else if (item.errorType === 'index_not_found_exception') {
          throw new SinkError('E_SINK_CONFIG', `${this.name}: the index does not exist and the cluster does not create it (${why}); allow automatic creation of ${this.prefix}-* (action.auto_create_index) or create the indices`);
        } else {
          rejected++;
          if (reason === undefined) reason = why;
        }
      }
      if (again.length === 0) break;
      if (round >= this.itemRetries) {
        throw new SinkError('E_SINK_BUSY', `${this.name}: ${again.length} of ${batch.length} documents still not accepted after ${this.itemRetries} retries (${againReason})`);
      }
      await this.sleep(Math.min(ITEM_BACKOFF_MS << round, ITEM_BACKOFF_MAX_MS));
      if (this.closed) throw new SinkError('E_SINK_CONNECT', `${this.name}: transport closed`);
      pending = again;
    }
    return reason === undefined ? { rejected } : { rejected, reason };
  }

  /** Ends connections; pending sends reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.sleeps) wake();
    this.sleeps.clear();
    this.http.close();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        this.sleeps.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}
