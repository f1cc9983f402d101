/**
 * The ClickHouse table layout and row mapping (schema.ts), the URL and
 * options of the transport, and how ClickHouse's error answers are
 * classified (http.ts), without a server: both the 18.16 wording and the
 * newer one ("Code: N. DB::Exception: ... (NAME) (version ...)").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { META_FIELDS } from '../../../src/dpi/meta';
import { COLUMNS, createTableSql, quoteIdent, quoteString, rowsJson, utcDay } from '../../../src/export/clickhouse/schema';
import { exceptionText, parseClickHouseUrl, replyError } from '../../../src/export/clickhouse/http';
import { CLICKHOUSE_DEFAULTS, ClickHouseTransport } from '../../../src/export/clickhouse/clickhouse-transport';
import { SinkError } from '../../../src/export/sinks/transport';
import { sampleRecords } from '../sinks/transport-contract';

const ROOT = join(__dirname, '..', '..', '..', '..');
const byName = new Map(COLUMNS.map((c) => [c.name, c]));

test('every field of docs/schema.md has a column of the same name', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8');
  const fields = [...doc.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.ok(fields.length > 60, `fields found in docs/schema.md (${fields.length})`);
  const missing = fields.filter((f) => !byName.has(f));
  assert.deepEqual(missing, []);
  assert.equal(new Set(COLUMNS.map((c) => c.name)).size, COLUMNS.length, 'no column twice');
});

test('every DPI metadata field has a column typed for its JSON type', () => {
  for (const [name, [type]] of Object.entries(META_FIELDS)) {
    const c = byName.get(name);
    assert.ok(c !== undefined, name);
    if (type === 'string') assert.equal(c.type, 'String', name);
    else if (type === 'string[]') assert.equal(c.type, 'Array(String)', name);
    else assert.match(c.type, /^U?Int(8|16|32|64)$/, name);
  }
});

test('CREATE TABLE: MergeTree partitioned by the month of date, sorted by time and addresses, date defaulting to the UTC day', () => {
  const sql = createTableSql('netflows', 'flows');
  assert.match(sql, /^CREATE TABLE IF NOT EXISTS `netflows`\.`flows`\n\(\n/);
  assert.match(sql, /\n\)\nENGINE = MergeTree\nPARTITION BY toYYYYMM\(date\)\nORDER BY \(first_switched, src_addr, dst_addr\)$/);
  assert.match(sql, /`first_switched` DateTime\('UTC'\),/);
  assert.match(sql, /`risks` Array\(String\),/);
  assert.match(sql, /`date` Date DEFAULT toDate\(first_switched\)\n/);
  assert.ok(!/IPv4|IPv6|DateTime64|LowCardinality|CODEC|Nullable/.test(sql), 'only types ClickHouse 18.16 has');
});

test('a real record becomes a row holding its values, date the UTC day of first_switched', async () => {
  const recs = await sampleRecords();
  assert.ok(recs.length > 30);
  for (const r of recs) {
    const line = rowsJson([r], COLUMNS);
    assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
    const row = JSON.parse(line) as Record<string, unknown>;
    for (const c of COLUMNS) {
      if (c.name === 'date') assert.equal(row.date, utcDay(r.first_switched));
      else assert.deepEqual(row[c.name], r[c.name], `${c.name} of flow ${r.flow_id}`);
    }
  }
  assert.equal(utcDay(1710408602), '2024-03-14');
  assert.equal(utcDay(86399), '1970-01-01');
  assert.equal(utcDay(86400), '1970-01-02');
});

test('values that do not fit their column are left out (the column default), never failing the batch', () => {
  const r = {
    src_addr: '10.0.0.1',
    src_port: 70000,
    dst_port: -1,
    out_pkts: 1.5,
    in_pkts: Number.NaN,
    in_bytes: '12',
    ip_version: 4,
    icmp_type: 256,
    first_switched: -5,
    tls_not_before: -1000,
    http_status: 'OK',
    tunnel: 7,
    risks: ['a', 3, null, 'b'],
    dns_answers: 'x',
    not_a_column: 'ignored',
  } as unknown as FlowRecord;
  const row = JSON.parse(rowsJson([r], COLUMNS)) as Record<string, unknown>;
  assert.deepEqual(row, { src_addr: '10.0.0.1', ip_version: 4, tunnel: '7', tls_not_before: -1000, risks: ['a', 'b'] });
});

test('unpaired UTF-16 surrogates become U+FFFD (ClickHouse refuses them); pairs, escapes and other text are kept', () => {
  const strings = ['plain', 'a\uD800b', 'a\uDC00', '\uD83D\uDE00 é', '\uD83D', 'text \\ud800 as typed', '\\\uDBFF', 'ctl\u0001'];
  const text = rowsJson(
    strings.map((s) => ({ server_name: s, risks: [s] }) as unknown as FlowRecord),
    COLUMNS,
  );
  const back = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { server_name: string }).server_name);
  assert.deepEqual(back, ['plain', 'a\uFFFDb', 'a\uFFFD', '\uD83D\uDE00 é', '\uFFFD', 'text \\ud800 as typed', '\\\uFFFD', 'ctl\u0001']);
  assert.ok(!/\\ud[89a-f]/i.test(text.replace(/\\\\/g, '')), 'no surrogate escape left for ClickHouse to refuse');
  assert.equal(text.split('\n').length, strings.length + 1);
});

test('identifiers and string literals are quoted for ClickHouse', () => {
  assert.equal(quoteIdent('flows'), '`flows`');
  assert.equal(quoteIdent('a`b\\c'), '`a\\`b\\\\c`');
  assert.equal(quoteString("it's \\ fine"), "'it\\'s \\\\ fine'");
});

test('URLs: default ports 8123/8443, database from the path, credentials from the userinfo, IPv6 hosts', () => {
  assert.deepEqual(parseClickHouseUrl('http://ch.example'), { secure: false, host: 'ch.example', port: 8123, origin: 'http://ch.example:8123' });
  assert.deepEqual(parseClickHouseUrl('https://u%40x:p%3Aw@ch.example/netflows'), {
    secure: true,
    host: 'ch.example',
    port: 8443,
    origin: 'https://ch.example:8443',
    username: 'u@x',
    password: 'p:w',
    database: 'netflows',
  });
  const v6 = parseClickHouseUrl('http://[::1]:9123/');
  assert.equal(v6.host, '::1');
  assert.equal(v6.origin, 'http://[::1]:9123');
  for (const [url, why] of [
    ['ch.example:8123', /not an http:\/\/ or https:\/\/ URL/],
    ['not a url', /is not a URL/],
    ['ftp://u:topsecret@h/', /not an http:\/\/ or https:\/\/ URL/],
    ['http://h:8123/?database=x', /has a query or fragment/],
    ['http://u:topsecret@h/a/b', /path of several parts/],
  ] as const) {
    assert.throws(
      () => parseClickHouseUrl(url),
      (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONFIG' && why.test(e.message) && !e.message.includes('topsecret'),
      url,
    );
  }
});

test('the transport: defaults, database from options over the URL path, a name without credentials', () => {
  const t = new ClickHouseTransport({ url: 'http://writer:topsecret@ch.example:8123/netflows' });
  assert.equal(t.name, 'clickhouse http://ch.example:8123/netflows.flows');
  assert.equal(t.maxBatch, CLICKHOUSE_DEFAULTS.maxBatch);
  assert.equal(t.lingerMs, CLICKHOUSE_DEFAULTS.lingerMs);
  assert.equal(new ClickHouseTransport({ url: 'http://ch.example/netflows', database: 'other', table: 't1' }).name, 'clickhouse http://ch.example:8123/other.t1');
  assert.equal(new ClickHouseTransport({ url: 'https://ch.example' }).name, 'clickhouse https://ch.example:8443/default.flows');
  for (const init of [{ maxBatch: 0 }, { maxBatch: 2_000_000 }, { maxBatch: 1.5 }, { timeoutMs: 0 }, { lingerMs: -1 }]) {
    assert.throws(() => new ClickHouseTransport({ url: 'http://h', ...init }), (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONFIG', JSON.stringify(init));
  }
  assert.throws(() => new ClickHouseTransport({ url: 'http://h', database: 'a.b' }), /database name "a\.b" is not a plain identifier/);
});

test("ClickHouse's error text: the first line without the version-specific wrapping, passwords masked", () => {
  assert.equal(
    exceptionText("Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception\n"),
    "Code 60: Table default.x doesn't exist.",
  );
  assert.equal(
    exceptionText('Code: 27. DB::Exception: Cannot parse input: expected \'"\' before: \'abc\': (at row 1)\n: While executing ParallelParsingBlockInputFormat. (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 24.3.1.2672 (official build))\n'),
    'Code 27: Cannot parse input: expected \'"\' before: \'abc\': (at row 1)',
  );
  assert.equal(exceptionText('Code: 516. DB::Exception: u: Authentication failed: password hunter2 is wrong.', 'hunter2'), 'Code 516: u: Authentication failed: password *** is wrong.');
  assert.equal(exceptionText('x'.repeat(1000)).length, 300);
});

test('error answers are classified by ClickHouse code first, then by HTTP status', () => {
  const cls = (status: number, body: string, code?: number): [string, boolean] => {
    const e = replyError('clickhouse http://h:8123/default.flows', 'while inserting 3 records', { status, body, code }, 'E_SINK_REJECTED', 'writer', 'pw');
    assert.ok(!e.message.includes('\n'));
    return [e.code, e.retryable];
  };
  const ch = (code: number, text = 'x'): string => `Code: ${code}, e.displayText() = DB::Exception: ${text}, e.what() = DB::Exception\n`;
  // 18.16 answers
  assert.deepEqual(cls(401, ch(193, 'Wrong password for user writer'), 193), ['E_SINK_AUTH', false]);
  assert.deepEqual(cls(401, ch(192, 'Unknown user nobody'), 192), ['E_SINK_AUTH', false]);
  assert.deepEqual(cls(500, ch(164, 'Cannot execute query in readonly mode'), 164), ['E_SINK_AUTH', false]);
  assert.deepEqual(cls(500, ch(27, 'Cannot parse input'), 27), ['E_SINK_REJECTED', false]);
  assert.deepEqual(cls(400, ch(72, "Unsigned type must not contain '-' symbol"), 72), ['E_SINK_REJECTED', false]);
  assert.deepEqual(cls(500, ch(117, 'Unknown field found while parsing JSONEachRow format'), 117), ['E_SINK_REJECTED', false]);
  assert.deepEqual(cls(404, ch(60, "Table default.flows doesn't exist."), 60), ['E_SINK_CONFIG', false]);
  assert.deepEqual(cls(500, ch(16, 'No such column x in table flows'), 16), ['E_SINK_CONFIG', false]);
  assert.deepEqual(cls(500, ch(252, 'Too many parts (300)'), 252), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(500, ch(241, 'Memory limit (for query) exceeded'), 241), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(500, ch(216, 'Query with id = q is already running.'), 216), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(500, ch(999, 'something new'), 999), ['E_SINK_BUSY', true]);
  // newer answers
  assert.deepEqual(cls(403, 'Code: 516. DB::Exception: writer: Authentication failed. (AUTHENTICATION_FAILED) (version 24.3)', 516), ['E_SINK_AUTH', false]);
  assert.deepEqual(cls(403, 'Code: 497. DB::Exception: writer: Not enough privileges. (ACCESS_DENIED)', 497), ['E_SINK_AUTH', false]);
  // no ClickHouse code: a proxy, a load balancer
  assert.deepEqual(cls(401, 'Unauthorized'), ['E_SINK_AUTH', false]);
  assert.deepEqual(cls(503, 'Service Unavailable'), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(429, ''), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(502, 'Bad Gateway'), ['E_SINK_BUSY', true]);
  assert.deepEqual(cls(404, 'Not Found'), ['E_SINK_CONFIG', false]);
  assert.deepEqual(cls(400, 'Bad Request'), ['E_SINK_REJECTED', false]);
  const auth = replyError('n', 'while inserting', { status: 401, body: ch(193, 'Wrong password for user writer'), code: 193 }, 'E_SINK_REJECTED', 'writer', 'pw');
  assert.equal(auth.message, 'n: ClickHouse refused user "writer" while inserting (Code 193: Wrong password for user writer); check the user name, password and the user\'s rights');
});
