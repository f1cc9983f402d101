/**
 * ClickHouseTransport against a real ClickHouse server (Debian's 18.16, run
 * privately by test/support/clickhouse-server.ts, one server for the file, in
 * a time zone far from UTC so a time zone mix-up shows): records of real
 * captures stored and read back field by field, the table created once and
 * an existing one used as it is, and each kind of failure as its SinkError.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { FlowRecord } from '../../../src/flow/record';
import { ClickHouseTransport, type ClickHouseInit } from '../../../src/export/clickhouse/clickhouse-transport';
import { COLUMNS, createTableSql, utcDay } from '../../../src/export/clickhouse/schema';
import { SinkError, type SinkLog } from '../../../src/export/sinks/transport';
import { startClickHouse, type ClickHouseServer } from '../../support/clickhouse-server';
import { ANDROID_PCAP, SAMPLE_PCAP, capture, fromRow, jsonRows, readTable, storedForm } from './helpers';

const PASSWORD = 'pw-Secr3t-9af';

let server: ClickHouseServer;
let sample: FlowRecord[];
let android: FlowRecord[];
const open: ClickHouseTransport[] = [];

before(async () => {
  sample = capture(SAMPLE_PCAP);
  android = capture(ANDROID_PCAP);
  server = await startClickHouse({ users: { writer: PASSWORD }, timezone: 'Pacific/Pago_Pago', tls: true });
});

after(async () => {
  for (const t of open) await t.close();
  if (server !== undefined) await server.stop();
});

function transport(init: Partial<ClickHouseInit>, log?: SinkLog): ClickHouseTransport {
  const t = new ClickHouseTransport({ url: server.url, ...init }, log);
  open.push(t);
  return t;
}

class Log implements SinkLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info: ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn: ${m}`);
  }
}

async function rejection(p: Promise<unknown>): Promise<SinkError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SinkError, `rejects with a SinkError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

async function tableExists(db: string, table: string): Promise<boolean> {
  return (await server.query(`EXISTS TABLE ${db}.${table}`)).trim() === '1';
}

const byFlow = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  Number(a.flow_id) - Number(b.flow_id) || Number(a.record_seq) - Number(b.record_seq);

test('records of real captures are stored with every field and read back equal', async () => {
  assert.ok(sample.length >= 30 && android.length >= 50, `captures give records (${sample.length}, ${android.length})`);
  assert.ok(android.some((r) => r.ip_version === 6) && android.some((r) => r.risks.length > 0) && android.some((r) => typeof r.ja3c === 'string'));
  for (const [table, recs] of [['real_sample', sample], ['real_android', android]] as const) {
    const log = new Log();
    const t = transport({ table }, log);
    assert.equal(t.name, `clickhouse ${server.url}/default.${table}`);
    for (let i = 0; i < recs.length; i += 16) await t.send(recs.slice(i, i + 16));
    assert.deepEqual(log.lines, [`info: created table default.${table}`]);
    const got = (await readTable(server, `default.${table}`, ['date'])).sort(byFlow);
    const want = [...recs].sort((a, b) => a.flow_id - b.flow_id || a.record_seq - b.record_seq);
    assert.equal(got.length, want.length, `${table}: every record stored once`);
    for (let i = 0; i < want.length; i++) {
      const w = want[i];
      assert.deepEqual(fromRow(got[i]), storedForm(w), `${table} flow ${w.flow_id}: stored as sent`);
      assert.equal(got[i].date, utcDay(w.first_switched), `${table} flow ${w.flow_id}: date is the UTC day of first_switched`);
    }
  }
  // The fields the brief names, spelled out on a record with DPI metadata and risks, and on an IPv6 one.
  const risky = android.find((r) => r.risks.length > 0 && typeof r.server_name === 'string' && r.server_name !== '') as FlowRecord;
  const v6 = android.find((r) => r.ip_version === 6) as FlowRecord;
  for (const rec of [risky, v6]) {
    const [row] = await readTable(server, 'default.real_android', [], `flow_id = ${rec.flow_id} AND record_seq = ${rec.record_seq}`);
    const back = fromRow(row);
    for (const k of ['src_addr', 'dst_addr', 'src_port', 'dst_port', 'out_pkts', 'out_bytes', 'in_pkts', 'in_bytes', 'first_switched', 'last_switched', 'first_switched_ms', 'last_switched_ms', 'protocol_name', 'server_name', 'risks']) {
      assert.deepEqual(back[k], rec[k], `flow ${rec.flow_id} ${k}`);
    }
  }
});

test('a string with an unpaired surrogate is stored with U+FFFD instead of failing the batch', async () => {
  const odd = { ...sample[0], server_name: 'bad\uD800name', risks: ['x\uDC00', 'fine'] };
  await transport({ table: 'surrogates' }).send([odd, sample[1]]);
  const rows = jsonRows(await server.query('SELECT server_name, risks FROM default.surrogates ORDER BY first_switched_ms FORMAT JSONEachRow'));
  assert.equal(rows.length, 2);
  assert.ok(rows.some((r) => r.server_name === 'bad\uFFFDname' && JSON.stringify(r.risks) === JSON.stringify(['x\uFFFD', 'fine'])), JSON.stringify(rows));
});

test('the table is created as schema.ts says: MergeTree, partitioned by month of date, ordered by time and addresses', async () => {
  const t = transport({ table: 'layout' });
  await t.send(sample.slice(0, 3));
  const ddl = await server.query('SHOW CREATE TABLE default.layout FORMAT TSVRaw');
  assert.match(ddl, /ENGINE = MergeTree PARTITION BY toYYYYMM\(date\) ORDER BY \(first_switched, src_addr, dst_addr\)/);
  const cols = jsonRows(await server.query("SELECT name, type FROM system.columns WHERE database = 'default' AND table = 'layout' FORMAT JSONEachRow")).map((r) => [
    String(r.name),
    String(r.type),
  ]);
  assert.deepEqual(
    cols.map(([n]) => n),
    COLUMNS.map((c) => c.name),
  );
  assert.deepEqual(Object.fromEntries(cols), Object.fromEntries(COLUMNS.map((c) => [c.name, c.type])));
});

test('an existing table is used as it is: not recreated, its rows kept, fields without a column left out with one warning', async () => {
  await server.query(
    'CREATE TABLE default.by_hand (first_switched DateTime, src_addr String, dst_addr String, out_bytes UInt64, protocol_name String, risks Array(String), note String DEFAULT \'kept\', date Date MATERIALIZED toDate(first_switched)) ENGINE = MergeTree PARTITION BY toYYYYMM(date) ORDER BY first_switched',
  );
  await server.query("INSERT INTO default.by_hand (first_switched, src_addr) VALUES (1000, 'old row')");
  const log = new Log();
  const t = transport({ table: 'by_hand' }, log);
  await t.send(sample.slice(0, 10));
  await t.send(sample.slice(10, 20));
  const rows = (await server.query('SELECT src_addr, out_bytes, protocol_name, risks, note FROM default.by_hand ORDER BY first_switched, src_addr, out_bytes FORMAT JSONEachRow'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, 21, 'the old row and the 20 records');
  assert.ok(rows.some((r) => r.src_addr === 'old row'));
  const sent = sample.slice(0, 20);
  for (const r of sent) {
    assert.ok(rows.some((x) => x.src_addr === r.src_addr && Number(x.out_bytes) === r.out_bytes && x.protocol_name === r.protocol_name && x.note === 'kept'), `record ${r.flow_id} stored`);
  }
  assert.equal(log.lines.length, 1, log.lines.join('\n'));
  assert.match(log.lines[0], /^warn: table default\.by_hand has no column for protocol, src_port, .*: these fields are not stored$/);
  assert.ok(!/\bdate\b/.test(log.lines[0]), 'a MATERIALIZED column is the server\'s, not missing');
  assert.ok(!log.lines.some((l) => l.includes('created')), 'not created again');
});

test('a second transport on an existing flowtap table appends to it', async () => {
  await server.query(createTableSql('default', 'twice'));
  await transport({ table: 'twice' }).send(sample.slice(0, 5));
  const log = new Log();
  await transport({ table: 'twice' }, log).send(sample.slice(5, 12));
  assert.equal((await server.query('SELECT count() FROM default.twice')).trim(), '12');
  assert.deepEqual(log.lines, []);
});

test('with createTable off, a missing table is one clear E_SINK_CONFIG error and nothing is created', async () => {
  const t = transport({ table: 'absent', createTable: false });
  const e = await rejection(t.send(sample.slice(0, 2)));
  assert.equal(e.code, 'E_SINK_CONFIG');
  assert.equal(e.retryable, false);
  assert.match(e.message, /^clickhouse http:\/\/127\.0\.0\.1:\d+\/default\.absent: table default\.absent does not exist; /);
  assert.ok(!e.message.includes('\n'));
  assert.equal(await tableExists('default', 'absent'), false);
});

test('a table name that is not a plain identifier is refused before any request; a missing database is named', async () => {
  for (const table of ['flows; DROP TABLE x', 'my-flows', '1flows', '']) {
    assert.throws(
      () => transport({ table }),
      (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONFIG' && e.message.includes(`table name "${table}" is not a plain identifier`) && !e.message.includes('\n'),
    );
  }
  const e = await rejection(transport({ database: 'nodb', table: 'flows' }).send(sample.slice(0, 1)));
  assert.equal(e.code, 'E_SINK_CONFIG');
  assert.match(e.message, /database nodb does not exist; create it \(CREATE DATABASE nodb\)/);
});

test('the database can come from the URL path; user and password from the URL or the options', async () => {
  await server.query('CREATE DATABASE IF NOT EXISTS netflows');
  const url = new URL(server.url);
  url.username = 'writer';
  url.password = PASSWORD;
  url.pathname = '/netflows';
  const t = transport({ url: url.toString() });
  assert.equal(t.name, `clickhouse ${server.url}/netflows.flows`);
  assert.ok(!t.name.includes(PASSWORD));
  await t.send(sample.slice(0, 4));
  await transport({ database: 'netflows', username: 'writer', password: PASSWORD }).send(sample.slice(4, 6));
  assert.equal((await server.query('SELECT count() FROM netflows.flows')).trim(), '6');
});

test('a wrong password is E_SINK_AUTH naming the user, never the password', async () => {
  const wrong = `${PASSWORD}-wrong`;
  for (const init of [{ username: 'writer', password: wrong }, { url: server.url.replace('//', `//writer:${encodeURIComponent(wrong)}@`) }]) {
    const t = transport({ table: 'auth_check', ...init });
    assert.ok(!t.name.includes(wrong));
    const e = await rejection(t.send(sample.slice(0, 2)));
    assert.equal(e.code, 'E_SINK_AUTH');
    assert.equal(e.retryable, false);
    assert.match(e.message, /ClickHouse refused user "writer" .*Wrong password|Authentication failed/);
    assert.ok(!e.message.includes(wrong) && !e.message.includes(PASSWORD), e.message);
  }
  const unknown = await rejection(transport({ table: 'auth_check', username: 'nobody', password: 'x' }).send(sample.slice(0, 1)));
  assert.equal(unknown.code, 'E_SINK_AUTH');
});

test('over https the certificate is checked against tls.ca; an untrusted one or a plain-http port is E_SINK_TLS', async () => {
  const httpsUrl = server.httpsUrl as string;
  const count = async (): Promise<string> => (await server.query('SELECT count() FROM default.over_tls')).trim();
  const trusted = transport({ url: httpsUrl, table: 'over_tls', tls: { ca: server.ca } });
  assert.equal(trusted.name, `clickhouse ${httpsUrl}/default.over_tls`);
  await trusted.send(sample.slice(0, 3));
  assert.equal(await count(), '3');
  const untrusted = await rejection(transport({ url: httpsUrl, table: 'over_tls' }).send(sample.slice(3, 5)));
  assert.equal(untrusted.code, 'E_SINK_TLS');
  assert.equal(untrusted.retryable, false);
  assert.match(untrusted.message, /TLS with 127\.0\.0\.1:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  await transport({ url: httpsUrl, table: 'over_tls', tls: { rejectUnauthorized: false } }).send(sample.slice(3, 5));
  assert.equal(await count(), '5');
  const plain = await rejection(transport({ url: server.url.replace('http:', 'https:'), table: 'over_tls', tls: { ca: server.ca } }).send(sample.slice(5, 6)));
  assert.equal(plain.code, 'E_SINK_TLS');
  assert.equal(await count(), '5');
});

test('records the table cannot take are E_SINK_REJECTED with the first line of ClickHouse\'s message', async () => {
  // A hand-made table where the protocol name is a number: "TCP" does not parse.
  await server.query('CREATE TABLE default.odd (first_switched DateTime, src_addr String, dst_addr String, protocol UInt8) ENGINE = MergeTree PARTITION BY toYYYYMM(first_switched) ORDER BY first_switched');
  const t = transport({ table: 'odd' });
  const e = await rejection(t.send(sample.slice(0, 5)));
  assert.equal(e.code, 'E_SINK_REJECTED');
  assert.equal(e.retryable, false);
  assert.match(e.message, /^clickhouse http:\/\/127\.0\.0\.1:\d+\/default\.odd: ClickHouse refused the data while inserting 5 records into default\.odd \(Code \d+: [^\n]*protocol/);
  assert.ok(!e.message.includes('\n'), 'one line');
  assert.ok(!e.message.includes('e.what()') && !e.message.includes('DB::Exception'), e.message);
  assert.equal((await server.query('SELECT count() FROM default.odd')).trim(), '0');
});

/** A proxy to the server that cuts the answer to the first INSERT it passes (the insert itself goes through). */
async function answerCuttingProxy(): Promise<{ port: number; cuts(): number; close(): Promise<void> }> {
  let cut = 0;
  const proxy: Server = createServer((client: Socket) => {
    const upstream = connect(server.port, '127.0.0.1');
    let head = '';
    let dropAnswer = false;
    client.on('data', (d: Buffer) => {
      if (head.length < 4096) head += d.toString('latin1');
      if (cut === 0 && /^POST \/\?query=INSERT/.test(head)) {
        dropAnswer = true;
        cut++;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (dropAnswer) client.destroy();
      else client.write(d);
    });
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.end());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    port: (proxy.address() as { port: number }).port,
    cuts: () => cut,
    close: () => new Promise<void>((r) => proxy.close(() => r())),
  };
}

test('a batch whose answer was lost is not stored twice when the delivery layer sends it again', async () => {
  const proxy = await answerCuttingProxy();
  try {
    await server.query(createTableSql('default', 'resent'));
    const log = new Log();
    const t = transport({ url: `http://127.0.0.1:${proxy.port}`, table: 'resent' }, log);
    const batch = android.slice(0, 40);
    const e = await rejection(t.send(batch));
    assert.equal(e.code, 'E_SINK_CONNECT');
    assert.equal(e.retryable, true);
    assert.equal(proxy.cuts(), 1);
    assert.equal((await server.query('SELECT count() FROM default.resent')).trim(), '40', 'the first attempt did land');
    // The delivery layer's retry: the same records (here rebuilt, as from the disk spool).
    await t.send(batch.map((r) => JSON.parse(JSON.stringify(r)) as FlowRecord));
    assert.equal((await server.query('SELECT count() FROM default.resent')).trim(), '40', 'not inserted again');
    assert.ok(log.lines.some((l) => /^info: 40 records of a resent batch were already stored/.test(l)), log.lines.join('\n'));
    // A different batch is inserted normally afterwards.
    await t.send(android.slice(40, 50));
    assert.equal((await server.query('SELECT count() FROM default.resent')).trim(), '50');
  } finally {
    await proxy.close();
  }
});

test('a resent batch over two days whose first attempt stored only one of them gets the other day inserted', async () => {
  // 10 records on 2024-01-31 and 15 on 2024-02-01 (UTC): two partitions.
  const at = (r: FlowRecord, i: number, ms: number): FlowRecord => ({
    ...r,
    flow_id: 9000 + i,
    first_switched_ms: ms,
    last_switched_ms: ms + r.duration_ms,
    first_switched: Math.floor(ms / 1000),
    last_switched: Math.floor((ms + r.duration_ms) / 1000),
  });
  const jan31 = Date.UTC(2024, 0, 31, 23, 0, 0);
  const feb1 = Date.UTC(2024, 1, 1, 0, 30, 0);
  const batch = [...android.slice(0, 10).map((r, i) => at(r, i, jan31 + i)), ...android.slice(10, 25).map((r, i) => at(r, 10 + i, feb1 + i))];
  const proxy = await answerCuttingProxy();
  try {
    await server.query(createTableSql('default', 'two_days'));
    const log = new Log();
    const t = transport({ url: `http://127.0.0.1:${proxy.port}`, table: 'two_days' }, log);
    assert.equal((await rejection(t.send(batch))).code, 'E_SINK_CONNECT');
    // As if the server had failed between writing the two parts.
    await server.query('ALTER TABLE default.two_days DROP PARTITION 202402');
    assert.equal((await server.query('SELECT count() FROM default.two_days')).trim(), '10');
    await t.send(batch);
    const days = (await server.query('SELECT date, count() FROM default.two_days GROUP BY date ORDER BY date FORMAT TSV')).trim();
    assert.equal(days, '2024-01-31\t10\n2024-02-01\t15');
    assert.ok(log.lines.some((l) => /^info: 10 records of a resent batch were already stored/.test(l)), log.lines.join('\n'));
  } finally {
    await proxy.close();
  }
});

test('a resend while the first insert of the batch still runs on the server is E_SINK_BUSY, and stores nothing twice', async () => {
  // A table whose inserts take 6 s on the server (a DEFAULT that sleeps per block).
  await server.query(createTableSql('default', 'slow'));
  await server.query('ALTER TABLE default.slow ADD COLUMN pause UInt8 DEFAULT sleep(3) + sleep(3)');
  const count = async (): Promise<number> => Number((await server.query('SELECT count() FROM default.slow')).trim());
  const log = new Log();
  const t = transport({ table: 'slow', timeoutMs: 500 }, log);
  const batch = android.slice(0, 30);
  const first = await rejection(t.send(batch));
  assert.equal(first.code, 'E_SINK_TIMEOUT');
  const busy = await rejection(t.send(batch));
  assert.equal(busy.code, 'E_SINK_BUSY');
  assert.equal(busy.retryable, true);
  assert.match(busy.message, /the previous insert of this batch is still running on the server/);
  for (let i = 0; i < 600 && (await count()) < 30; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await count(), 30, 'the first insert landed');
  await t.send(batch);
  assert.equal(await count(), 30, 'the resend added nothing');
  assert.ok(log.lines.some((l) => /30 records of a resent batch were already stored/.test(l)), log.lines.join('\n'));
});

test('a batch whose first attempt failed before reaching the server is inserted by the resend', async () => {
  await server.query(createTableSql('default', 'retried'));
  const batch = sample.slice(0, 8);
  // Nothing listens on this port: the first attempt cannot be sent.
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as { port: number }).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const e = await rejection(transport({ url: `http://127.0.0.1:${deadPort}`, table: 'retried' }).send(batch));
  assert.equal(e.code, 'E_SINK_CONNECT');
  assert.match(e.message, new RegExp(`cannot reach ClickHouse at 127\\.0\\.0\\.1:${deadPort} \\(ECONNREFUSED\\)`));
  await transport({ table: 'retried' }).send(batch);
  assert.equal((await server.query('SELECT count() FROM default.retried')).trim(), '8');
});

test('a server that accepts but never answers is E_SINK_TIMEOUT after timeoutMs (E_SINK_TLS when the TLS handshake never completes); close() ends a pending send', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const e = await rejection(transport({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }).send(sample.slice(0, 1)));
    assert.equal(e.code, 'E_SINK_TIMEOUT');
    assert.equal(e.retryable, true);
    // Over https, a peer that takes the connection but never answers the ClientHello (a plain-http port may wait for a whole request) is a TLS failure.
    const tls = await rejection(transport({ url: `https://127.0.0.1:${port}`, timeoutMs: 300 }).send(sample.slice(0, 1)));
    assert.equal(tls.code, 'E_SINK_TLS');
    assert.match(tls.message, /TLS with 127\.0\.0\.1:\d+ did not complete within 0\.3 s/);
    const t = transport({ url: `http://127.0.0.1:${port}`, timeoutMs: 60_000 });
    const pending = t.send(sample.slice(0, 1));
    pending.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await t.close();
    const closed = await rejection(pending);
    assert.equal(closed.code, 'E_SINK_CONNECT');
    assert.match(closed.message, /transport closed/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

// Last: stops the shared server.
test('a stopped server is E_SINK_CONNECT (retryable)', async () => {
  const t = transport({ table: 'before_stop' });
  await t.send(sample.slice(0, 2));
  await server.kill();
  const e = await rejection(t.send(sample.slice(2, 4)));
  assert.equal(e.code, 'E_SINK_CONNECT');
  assert.equal(e.retryable, true);
  assert.match(e.message, /cannot reach ClickHouse at 127\.0\.0\.1:\d+ \(ECONNREFUSED\); is it running/);
});
