/**
 * A local stand-in for an Elasticsearch node (node:http or node:https) that
 * holds clients to the documented REST contract of the APIs flowtap uses:
 *
 * - `HEAD /`, `GET /`: node info (name, cluster_name, version.number, tagline).
 * - `POST|PUT /_bulk`, `/<index>/_bulk`: Content-Type must be
 *   application/x-ndjson or application/json (406 otherwise, as Elasticsearch
 *   answers for unsupported content types); the body must not be empty and
 *   must end with "\n" (400 illegal_argument_exception otherwise); lines are
 *   action/metadata + source pairs (`create`, `index`, `delete`); a malformed
 *   action line fails the whole request with 400. The answer is
 *   `{took, errors, items:[{<action>:{_index,_id,_version,result,status,...}}]}`
 *   in request order; `create` on an existing `_id` is an item 409
 *   version_conflict_engine_exception. Documents are checked against the
 *   index's mappings, taken from the matching template when the index is
 *   created (composable by priority, else legacy by order): an `ip` field given
 *   a non-address, a number field given text, a date in the wrong form, an
 *   object where a leaf is mapped, are item 400 mapper_parsing_exception
 *   unless the field has ignore_malformed. Unmapped fields follow the dynamic
 *   templates (match_mapping_type) or Elasticsearch's default dynamic mapping.
 *   `filter_path` is applied to the answer (paths with `*` segments).
 * - `GET|PUT|DELETE /_index_template/<name>` and `/_template/<name>` with the
 *   documented answer shapes (`{index_templates:[{name,index_template}]}`;
 *   `{<name>:{...}}`; 404 resource_not_found_exception / `{}` when missing).
 *   Template bodies are checked for known top-level keys and known field types.
 *   With `composable: false` the server behaves like Elasticsearch before 7.8:
 *   `_index_template` paths are taken for index names (400 invalid_index_name_exception).
 * - Security when `auth` is set: 401 security_exception with WWW-Authenticate
 *   for missing or wrong Basic/ApiKey credentials; `templatePrivilege: false`
 *   answers 403 on the template APIs.
 *
 * Faults on demand: busy(n, status) answers the next n bulk requests with that
 * status; failItems() fails chosen documents with 429/500/503 (or 403) item errors;
 * hang makes requests wait forever (until stop()); stop() makes it "down".
 * `update` bulk actions, aliases, data streams and index settings are not modelled.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface FakeEsOptions {
  /** Require these credentials; apiKey is the encoded value expected after "ApiKey ". */
  auth?: { username: string; password: string } | { apiKey: string };
  /** Serve HTTPS with this key and certificate (requestCert: ask for a client certificate signed by ca). */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
  /** Support the composable template API (Elasticsearch ≥ 7.8). Default true. */
  composable?: boolean;
  /** The user may manage templates. Default true. */
  templatePrivilege?: boolean;
  /** Path under which the node answers (a reverse proxy prefix), e.g. "/es". */
  pathPrefix?: string;
}

export interface ItemFailure {
  status: number;
  /** How many matching documents to fail (each failed document counts once). */
  times: number;
  /** Which documents; all when absent. */
  match?: (doc: Record<string, unknown>, index: string) => boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
  status: number;
}

type Mapping = Record<string, unknown> & { type?: string; properties?: Record<string, Mapping>; format?: string; ignore_malformed?: boolean };

interface FakeIndex {
  properties: Record<string, Mapping>;
  dynamic: unknown;
  dynamicTemplates: Record<string, { match_mapping_type?: string; match?: string; mapping: Mapping }>[];
  dateDetection: boolean;
  docs: Map<string, Record<string, unknown>>;
  seqNo: number;
}

const KNOWN_TYPES = new Set([
  'keyword', 'text', 'ip', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float',
  'unsigned_long', 'date', 'date_nanos', 'boolean', 'object', 'nested', 'flattened', 'constant_keyword', 'wildcard',
  'match_only_text', 'geo_point',
]);
const KNOWN_DATE_FORMATS = new Set(['epoch_millis', 'epoch_second', 'strict_date_optional_time', 'date_optional_time', 'strict_date_time', 'date_time']);
const INT_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const COMPOSABLE_KEYS = new Set(['index_patterns', 'template', 'priority', 'version', '_meta', 'composed_of', 'data_stream', 'allow_auto_create', 'ignore_missing_component_templates', 'deprecated']);
const LEGACY_KEYS = new Set(['index_patterns', 'order', 'version', 'settings', 'mappings', 'aliases']);

function esError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cause = { type, reason, ...extra };
  return { error: { root_cause: [cause], ...cause }, status };
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** Elasticsearch's filter_path: keeps the listed paths (segments separated by ".", "*" matches any key). */
export function filterPath(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => filterPath(v, paths)).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = paths.filter((p) => p[0] === k || p[0] === '*');
    if (here.length === 0) continue;
    if (here.some((p) => p.length === 1)) {
      out[k] = v;
      continue;
    }
    const sub = filterPath(v, here.map((p) => p.slice(1)));
    if (sub !== undefined && !(typeof sub === 'object' && sub !== null && !Array.isArray(sub) && Object.keys(sub).length === 0)) out[k] = sub;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export class FakeElasticsearch {
  readonly options: FakeEsOptions;
  readonly indices = new Map<string, FakeIndex>();
  readonly indexTemplates = new Map<string, Record<string, unknown>>();
  readonly legacyTemplates = new Map<string, Record<string, unknown>>();
  readonly requests: LoggedRequest[] = [];
  /** Every stored document's index and id, in the order they were stored. */
  readonly arrivals: { index: string; id: string }[] = [];
  /** Requests are held without an answer while true. */
  hang = false;
  private busyLeft = 0;
  private busyStatus = 429;
  private readonly failures: ItemFailure[] = [];
  private readonly held = new Set<http.ServerResponse>();
  private server: http.Server | https.Server | null = null;
  port = 0;

  constructor(options: FakeEsOptions = {}) {
    this.options = options;
  }

  static async start(options: FakeEsOptions = {}): Promise<FakeElasticsearch> {
    const es = new FakeElasticsearch(options);
    await es.listen();
    return es;
  }

  get url(): string {
    return `${this.options.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${this.port}${this.options.pathPrefix ?? ''}`;
  }

  async listen(port = 0): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    const tls = this.options.tls;
    this.server = tls !== undefined
      ? https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.requestCert === true, rejectUnauthorized: tls.requestCert === true }, handler)
      : http.createServer(handler);
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** Listens again on the same port after stop(), keeping the stored documents and templates. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  /** Stops listening and drops every connection (the node is "down"). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    for (const res of this.held) res.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Answers the next n bulk requests with this status (429, 502, 503 ...). */
  busy(n: number, status = 429): void {
    this.busyLeft = n;
    this.busyStatus = status;
  }

  /** Fails matching documents of later bulk requests with an item error of this status. */
  failItems(failure: ItemFailure): void {
    this.failures.push({ ...failure });
  }

  /** Documents of one index (empty when it does not exist). */
  docs(index: string): Record<string, unknown>[] {
    return [...(this.indices.get(index)?.docs.values() ?? [])];
  }

  /** All stored documents in the order they arrived (over all indices). */
  allDocs(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const a of this.arrivals) {
      const d = this.indices.get(a.index)?.docs.get(a.id);
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  /** Number of documents over all indices. */
  count(): number {
    let n = 0;
    for (const ix of this.indices.values()) n += ix.docs.size;
    return n;
  }

  /** The field mappings an index got (from its template and dynamic mapping). */
  mappingOf(index: string): Record<string, Mapping> | undefined {
    return this.indices.get(index)?.properties;
  }

  bulkRequests(): LoggedRequest[] {
    return this.requests.filter((r) => /\/_bulk$/.test(r.path));
  }

  // ---- request handling ----------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const full = new URL(req.url ?? '/', 'http://x');
      let path = full.pathname;
      const prefix = this.options.pathPrefix ?? '';
      const entry: LoggedRequest = { method: req.method ?? '', path, query: full.search, headers: req.headers, bodyBytes: Buffer.byteLength(body), status: 0 };
      this.requests.push(entry);
      if (this.hang) {
        this.held.add(res);
        return;
      }
      const reply = (status: number, value?: unknown, headers: Record<string, string | string[]> = {}): void => {
        entry.status = status;
        let out = value;
        const fp = full.searchParams.get('filter_path');
        if (fp !== null && out !== undefined && status < 300) out = filterPath(out, fp.split(',').map((p) => p.split('.'))) ?? {};
        const text = out === undefined || req.method === 'HEAD' ? '' : JSON.stringify(out);
        res.writeHead(status, { 'Content-Type': 'application/json', 'X-elastic-product': 'Elasticsearch', ...headers });
        res.end(text);
      };
      if (prefix !== '') {
        if (!path.startsWith(`${prefix}/`) && path !== prefix) {
          reply(404, { error: `no route ${path}` });
          return;
        }
        path = path.slice(prefix.length) || '/';
      }
      const denied = this.checkAuth(req, path);
      if (denied !== null) {
        reply(401, denied, { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] });
        return;
      }
      try {
        this.route(req.method ?? 'GET', path, req.headers, body, reply);
      } catch (err) {
        reply(500, esError(500, 'exception', (err as Error).message));
      }
    });
  }

  private checkAuth(req: http.IncomingMessage, path: string): Record<string, unknown> | null {
    const auth = this.options.auth;
    if (auth === undefined) return null;
    const header = req.headers.authorization;
    const challenge = { header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] } };
    if (header === undefined) return esError(401, 'security_exception', `missing authentication credentials for REST request [${path}]`, challenge);
    if ('apiKey' in auth) {
      if (header === `ApiKey ${auth.apiKey}`) return null;
      return esError(401, 'security_exception', `unable to authenticate with provided credentials and anonymous access is not allowed for this request`, challenge);
    }
    const m = /^Basic (.+)$/.exec(header);
    const decoded = m !== null ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    if (decoded === `${auth.username}:${auth.password}`) return null;
    return esError(401, 'security_exception', `unable to authenticate user [${user}] for REST request [${path}]`, challenge);
  }

  private route(method: string, path: string, headers: http.IncomingHttpHeaders, body: string, reply: (s: number, v?: unknown, h?: Record<string, string | string[]>) => void): void {
    const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
    if (parts.length === 0) {
      if (method === 'GET' || method === 'HEAD') {
        reply(200, {
          name: 'fake-node', cluster_name: 'fake', cluster_uuid: 'fAkEcLuStEr',
          version: { number: this.options.composable === false ? '7.7.1' : '8.13.0', build_flavor: 'default', lucene_version: '9.10.0' },
          tagline: 'You Know, for Search',
        });
      } else reply(405, { error: `Incorrect HTTP method for uri [/] and method [${method}], allowed: [GET, HEAD]`, status: 405 });
      return;
    }
    if (parts[0] === '_index_template' && parts.length === 2 && this.options.composable !== false) {
      this.templateApi('composable', method, parts[1], body, reply);
      return;
    }
    if (parts[0] === '_template' && parts.length === 2) {
      this.templateApi('legacy', method, parts[1], body, reply);
      return;
    }
    const isBulk = (parts.length === 1 && parts[0] === '_bulk') || (parts.length === 2 && parts[1] === '_bulk');
    if (isBulk) {
      if (method !== 'POST' && method !== 'PUT') {
        reply(405, { error: `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [POST, PUT]`, status: 405 });
        return;
      }
      this.bulk(parts.length === 2 ? parts[0] : undefined, headers, body, reply);
      return;
    }
    if (parts[0].startsWith('_') && parts.length >= 2) {
      reply(400, esError(400, 'invalid_index_name_exception', `Invalid index name [${parts[0]}], must not start with '_'.`, { index_uuid: '_na_', index: parts[0] }));
      return;
    }
    reply(400, { error: `no handler found for uri [${path}] and method [${method}]` });
  }

  // ---- templates -----------------------------------------------------------

  private templateApi(kind: 'composable' | 'legacy', method: string, name: string, body: string, reply: (s: number, v?: unknown) => void): void {
    const store = kind === 'composable' ? this.indexTemplates : this.legacyTemplates;
    const action = kind === 'composable' ? 'indices:admin/index_template' : 'indices:admin/template';
    if (this.options.templatePrivilege === false) {
      const verb = method === 'GET' ? 'get' : method === 'DELETE' ? 'delete' : 'put';
      reply(403, esError(403, 'security_exception', `action [${action}/${verb}] is unauthorized for user [writer] with effective roles [flowtap_writer], this action is granted by the cluster privileges [manage_index_templates,manage,all]`));
      return;
    }
    if (method === 'GET') {
      const t = store.get(name);
      if (kind === 'composable') {
        if (t === undefined) reply(404, esError(404, 'resource_not_found_exception', `index template matching [${name}] not found`));
        else reply(200, { index_templates: [{ name, index_template: t }] });
      } else if (t === undefined) reply(404, {});
      else reply(200, { [name]: t });
      return;
    }
    if (method === 'DELETE') {
      if (!store.delete(name)) reply(404, esError(404, 'index_template_missing_exception', `index_template [${name}] missing`));
      else reply(200, { acknowledged: true });
      return;
    }
    if (method !== 'PUT' && method !== 'POST') {
      reply(405, { error: `Incorrect HTTP method for uri [/_${kind === 'composable' ? 'index_' : ''}template/${name}] and method [${method}]`, status: 405 });
      return;
    }
    let t: Record<string, unknown>;
    try {
      t = JSON.parse(body) as Record<string, unknown>;
    } catch (err) {
      reply(400, esError(400, 'x_content_parse_exception', `failed to parse template body: ${(err as Error).message}`));
      return;
    }
    const allowed = kind === 'composable' ? COMPOSABLE_KEYS : LEGACY_KEYS;
    for (const k of Object.keys(t)) {
      if (!allowed.has(k)) {
        reply(400, esError(400, 'x_content_parse_exception', `[1:2] [index_template] unknown field [${k}]`));
        return;
      }
    }
    const patterns = t.index_patterns;
    if (!(typeof patterns === 'string' || (Array.isArray(patterns) && patterns.length > 0 && patterns.every((p) => typeof p === 'string')))) {
      reply(400, esError(400, 'action_request_validation_exception', 'Validation Failed: 1: index patterns are missing;'));
      return;
    }
    if (t.version !== undefined && !Number.isInteger(t.version)) {
      reply(400, esError(400, 'x_content_parse_exception', '[version] must be an integer'));
      return;
    }
    const mappings = (kind === 'composable' ? (t.template as Record<string, unknown> | undefined)?.mappings : t.mappings) as Record<string, unknown> | undefined;
    const bad = mappings !== undefined ? checkMappings(mappings.properties as Record<string, Mapping> | undefined, '') : null;
    if (bad !== null) {
      reply(400, esError(400, 'mapper_parsing_exception', bad));
      return;
    }
    store.set(name, t);
    reply(200, { acknowledged: true });
  }

  private createIndex(name: string): FakeIndex {
    let mappings: Record<string, unknown> | undefined;
    const composable = [...this.indexTemplates.values()]
      .filter((t) => ([] as string[]).concat(t.index_patterns as string | string[]).some((p) => globMatch(p, name)))
      .sort((a, b) => Number(b.priority ?? 0) - Number(a.priority ?? 0));
    if (composable.length > 0) {
      mappings = (composable[0].template as Record<string, unknown> | undefined)?.mappings as Record<string, unknown> | undefined;
    } else {
      const legacy = [...this.legacyTemplates.values()]
        .filter((t) => ([] as string[]).concat(t.index_patterns as string | string[]).some((p) => globMatch(p, name)))
        .sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
      for (const t of legacy) mappings = { ...(mappings ?? {}), ...(t.mappings as Record<string, unknown>) };
    }
    const ix: FakeIndex = {
      properties: structuredClone((mappings?.properties ?? {}) as Record<string, Mapping>),
      dynamic: mappings?.dynamic ?? true,
      dynamicTemplates: (mappings?.dynamic_templates ?? []) as FakeIndex['dynamicTemplates'],
      dateDetection: mappings?.date_detection !== false,
      docs: new Map(),
      seqNo: 0,
    };
    this.indices.set(name, ix);
    return ix;
  }

  // ---- bulk ----------------------------------------------------------------

  private bulk(defaultIndex: string | undefined, headers: http.IncomingHttpHeaders, body: string, reply: (s: number, v?: unknown) => void): void {
    const ct = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (ct !== 'application/x-ndjson' && ct !== 'application/json') {
      reply(406, { error: `Content-Type header [${headers['content-type'] ?? ''}] is not supported`, status: 406 });
      return;
    }
    if (body.length === 0) {
      reply(400, esError(400, 'parse_exception', 'request body is required'));
      return;
    }
    if (!body.endsWith('\n')) {
      reply(400, esError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'));
      return;
    }
    if (this.busyLeft > 0) {
      this.busyLeft--;
      const s = this.busyStatus;
      reply(s, s === 429
        ? esError(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1, max_coordinating_and_primary_bytes=0]')
        : esError(s, 'unavailable_shards_exception', 'primary shard is not active'));
      return;
    }
    const lines = body.slice(0, -1).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const ops: { action: string; index: string; id: string | undefined; doc: Record<string, unknown> | null }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      let meta: unknown;
      try {
        meta = JSON.parse(lines[i]);
      } catch {
        reply(400, esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [VALUE_STRING]`));
        return;
      }
      if (meta === null || typeof meta !== 'object' || Array.isArray(meta) || Object.keys(meta).length !== 1) {
        reply(400, esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected a simple object with one action`));
        return;
      }
      const action = Object.keys(meta)[0];
      if (!['index', 'create', 'delete', 'update'].includes(action)) {
        reply(400, esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${action}]`));
        return;
      }
      const m = (meta as Record<string, Record<string, unknown>>)[action];
      const index = typeof m._index === 'string' ? m._index : defaultIndex;
      if (index === undefined) {
        reply(400, esError(400, 'action_request_validation_exception', `Validation Failed: 1: index is missing;`));
        return;
      }
      if ('_type' in m) {
        reply(400, esError(400, 'illegal_argument_exception', `Action/metadata line [${lineNo}] contains an unknown parameter [_type]`));
        return;
      }
      const id = typeof m._id === 'string' ? m._id : undefined;
      if (action === 'update') {
        reply(400, esError(400, 'illegal_argument_exception', 'the fake does not model update actions'));
        return;
      }
      if (action === 'delete') {
        ops.push({ action, index, id, doc: null });
        continue;
      }
      i++;
      if (i >= lines.length) {
        reply(400, esError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`));
        return;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(lines[i]);
      } catch (err) {
        doc = undefined;
        ops.push({ action, index, id, doc: { __unparsable: (err as Error).message } });
        continue;
      }
      ops.push({ action, index, id, doc: doc as Record<string, unknown> });
    }
    if (ops.length === 0) {
      reply(400, esError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;'));
      return;
    }
    const items = ops.map((op) => ({ [op.action]: this.applyOp(op) }));
    reply(200, { took: 1, errors: items.some((it) => (Object.values(it)[0].status as number) >= 300), items });
  }

  private applyOp(op: { action: string; index: string; id: string | undefined; doc: Record<string, unknown> | null }): Record<string, unknown> {
    const base = { _index: op.index, _id: op.id ?? randomBytes(15).toString('base64url') };
    const fail = (status: number, error: Record<string, unknown>): Record<string, unknown> => ({ ...base, status, error });
    if (!/^[a-z0-9][^\\/*?"<>| ,#:A-Z]*$/.test(op.index)) {
      return fail(400, { type: 'invalid_index_name_exception', reason: `Invalid index name [${op.index}]`, index: op.index });
    }
    let ix = this.indices.get(op.index);
    if (op.action === 'delete') {
      const found = ix?.docs.delete(base._id) === true;
      return { ...base, _version: 1, result: found ? 'deleted' : 'not_found', status: found ? 200 : 404 };
    }
    const doc = op.doc as Record<string, unknown>;
    if ('__unparsable' in doc) return fail(400, { type: 'document_parsing_exception', reason: `failed to parse: ${String(doc.__unparsable)}` });
    for (const f of this.failures) {
      if (f.times > 0 && (f.match === undefined || f.match(doc, op.index))) {
        f.times--;
        if (f.status === 429) return fail(429, { type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation [shard_detail=[flowtap][0]]' });
        if (f.status === 403) return fail(403, { type: 'security_exception', reason: `action [indices:data/write/bulk[s]] is unauthorized for user [writer] on indices [${op.index}], this action is granted by the index privileges [create_doc,create,index,write,all]` });
        return fail(f.status, { type: f.status === 503 ? 'unavailable_shards_exception' : 'exception', reason: f.status === 503 ? 'primary shard is not active' : 'internal failure' });
      }
    }
    if (ix === undefined) ix = this.createIndex(op.index);
    if (op.action === 'create' && ix.docs.has(base._id)) {
      return fail(409, { type: 'version_conflict_engine_exception', reason: `[${base._id}]: version conflict, document already exists (current version [1])`, index_uuid: 'fAkE', shard: '0', index: op.index });
    }
    const bad = this.validate(ix, doc, base._id);
    if (bad !== null) return fail(400, bad);
    const existed = ix.docs.has(base._id);
    ix.docs.set(base._id, doc);
    if (!existed) this.arrivals.push({ index: op.index, id: base._id });
    ix.seqNo++;
    return {
      ...base, _version: 1, result: existed ? 'updated' : 'created', _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: ix.seqNo - 1, _primary_term: 1, status: existed ? 200 : 201,
    };
  }

  // ---- mapping checks ------------------------------------------------------

  /** Checks a document against the index's mappings, adding dynamic fields; an error object or null. */
  private validate(ix: FakeIndex, doc: Record<string, unknown>, id: string): Record<string, unknown> | null {
    const added: [Record<string, Mapping>, string, Mapping][] = [];
    const err = this.validateObject(ix, ix.properties, doc, '', id, added);
    if (err !== null) return err;
    for (const [props, name, m] of added) props[name] = m;
    return null;
  }

  private validateObject(ix: FakeIndex, props: Record<string, Mapping>, obj: Record<string, unknown>, path: string, id: string, added: [Record<string, Mapping>, string, Mapping][]): Record<string, unknown> | null {
    for (const [name, value] of Object.entries(obj)) {
      const full = path === '' ? name : `${path}.${name}`;
      if (value === null) continue;
      let m = props[name] ?? added.find(([p, n]) => p === props && n === name)?.[2];
      if (m === undefined) {
        if (ix.dynamic === 'strict') {
          return { type: 'strict_dynamic_mapping_exception', reason: `[1:2] mapping set to strict, dynamic introduction of [${name}] within [_doc] is not allowed` };
        }
        if (ix.dynamic === false || ix.dynamic === 'false') continue;
        m = this.dynamicMapping(ix, name, value);
        added.push([props, name, m]);
      }
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) {
        const bad = checkValue(m, v);
        if (bad === null) continue;
        if (bad === 'object') {
          if (m.properties === undefined) m.properties = {};
          const e = this.validateObject(ix, m.properties, v as Record<string, unknown>, full, id, added);
          if (e !== null) return e;
          continue;
        }
        if (m.ignore_malformed === true) continue;
        const preview = typeof v === 'string' ? v : JSON.stringify(v);
        return {
          type: 'mapper_parsing_exception',
          reason: `failed to parse field [${full}] of type [${m.type ?? 'object'}] in document with id '${id}'. Preview of field's value: '${preview}'`,
          caused_by: { type: 'illegal_argument_exception', reason: bad },
        };
      }
    }
    return null;
  }

  private dynamicMapping(ix: FakeIndex, name: string, value: unknown): Mapping {
    const sample = Array.isArray(value) ? value[0] : value;
    const jsonType = typeof sample === 'string' ? 'string'
      : typeof sample === 'boolean' ? 'boolean'
        : typeof sample === 'number' ? (Number.isInteger(sample) ? 'long' : 'double')
          : sample !== null && typeof sample === 'object' ? 'object' : 'string';
    if (jsonType === 'string' && ix.dateDetection && checkDate(undefined, sample) === null) return { type: 'date' };
    for (const entry of ix.dynamicTemplates) {
      const t = Object.values(entry)[0];
      if (t.match_mapping_type !== undefined && t.match_mapping_type !== '*' && t.match_mapping_type !== jsonType) continue;
      if (t.match !== undefined && !globMatch(t.match, name)) continue;
      return structuredClone(t.mapping);
    }
    if (jsonType === 'string') return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    if (jsonType === 'long') return { type: 'long' };
    if (jsonType === 'double') return { type: 'float' };
    if (jsonType === 'boolean') return { type: 'boolean' };
    return { properties: {} };
  }
}

/** null when v fits mapping m, 'object' when v is an object for an object mapping, else the reason it does not fit. */
function checkValue(m: Mapping, v: unknown): string | null {
  const type = m.type ?? (m.properties !== undefined ? 'object' : 'object');
  if (type === 'object' || type === 'nested') {
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? 'object' : `object mapping tried to parse field as object, but found a concrete value`;
  }
  if (v !== null && typeof v === 'object') return `field of type [${type}] cannot hold an object`;
  switch (type) {
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0 ? null : `'${String(v)}' is not an IP string literal.`;
    case 'keyword':
    case 'text':
    case 'constant_keyword':
    case 'wildcard':
    case 'match_only_text':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? null : 'not a string';
    case 'boolean':
      return v === true || v === false || v === 'true' || v === 'false' ? null : `Failed to parse value [${String(v)}] as only [true] or [false] are allowed.`;
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n)) return `For input string: "${String(v)}"`;
      const [lo, hi] = INT_RANGES[type];
      return n >= lo && n <= hi ? null : `Value [${n}] is out of range for ${type === 'integer' ? 'an integer' : `a ${type}`}`;
    }
    case 'double':
    case 'float':
    case 'half_float':
    case 'scaled_float':
    case 'unsigned_long':
      return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) ? null : `For input string: "${String(v)}"`;
    case 'date':
    case 'date_nanos':
      return checkDate(m.format, v);
    default:
      return null;
  }
}

function checkDate(format: string | undefined, v: unknown): string | null {
  const formats = (format ?? 'strict_date_optional_time||epoch_millis').split('||');
  for (const f of formats) {
    if ((f === 'epoch_millis' || f === 'epoch_second') && (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)))) return null;
    if ((f === 'strict_date_optional_time' || f === 'date_optional_time' || f === 'strict_date_time' || f === 'date_time') && typeof v === 'string'
      && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return null;
  }
  return `failed to parse date field [${String(v)}] with format [${formats.join('||')}]`;
}

/** A reason when a template's properties use an unknown type or date format; null when they are fine. */
function checkMappings(props: Record<string, Mapping> | undefined, path: string): string | null {
  if (props === undefined) return null;
  for (const [name, m] of Object.entries(props)) {
    const full = path === '' ? name : `${path}.${name}`;
    if (m.type !== undefined && !KNOWN_TYPES.has(m.type)) return `No handler for type [${m.type}] declared on field [${full}]`;
    if (m.format !== undefined && !String(m.format).split('||').every((f) => KNOWN_DATE_FORMATS.has(f))) return `Invalid format: [${m.format}] on field [${full}]`;
    if (m.properties !== undefined) {
      const bad = checkMappings(m.properties, full);
      if (bad !== null) return bad;
    }
    const fields = m.fields as Record<string, Mapping> | undefined;
    if (fields !== undefined) {
      const bad = checkMappings(fields, full);
      if (bad !== null) return bad;
    }
  }
  return null;
}
