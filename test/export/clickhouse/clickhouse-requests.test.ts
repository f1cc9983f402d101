/**
 * The HTTP requests ClickHouseTransport makes, seen by a scripted fake
 * ClickHouse endpoint (for answers the real 18.16 server cannot give, such
 * as newer releases' ACCESS_DENIED): credentials in headers only, gzip
 * JSONEachRow bodies, one query_id per batch kept across resends, and a
 * write-only user (no right to DESCRIBE or SELECT) still delivering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ClickHouseTransport } from '../../../src/export/clickhouse/clickhouse-transport';
import { SinkError, type SinkLog } from '../../../src/export/sinks/transport';
import { sampleRecords } from '../sinks/transport-contract';

interface Seen {
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  text: string;
}

type Answer = (seen: Seen, res: ServerResponse) => void;

async function fakeClickHouse(answer: Answer): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString('utf8') : body.toString('utf8');
      const s: Seen = { url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body, text };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const DENIED = 'Code: 497. DB::Exception: writer: Not enough privileges. To execute this query, it\'s necessary to have the grant SHOW COLUMNS ON default.flows. (ACCESS_DENIED) (version 24.3.1.1)\n';

class Log implements SinkLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info: ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn: ${m}`);
  }
}

test('a write-only user: the layout is assumed when DESCRIBE is denied, a resend goes out whole when the check is denied', async () => {
  let inserts = 0;
  const fake = await fakeClickHouse((s, res) => {
    const sql = s.url.searchParams.get('query') ?? s.text;
    if (/^INSERT INTO/.test(sql)) {
      inserts++;
      if (inserts === 1) {
        res.socket?.destroy(); // the answer to the first insert is lost
        return;
      }
      res.end('');
    } else if (/system\.processes/.test(sql)) {
      res.end('0\n');
    } else {
      res.writeHead(403, { 'X-ClickHouse-Exception-Code': '497' });
      res.end(DENIED);
    }
  });
  try {
    const log = new Log();
    const t = new ClickHouseTransport({ url: fake.url, username: 'writer', password: 'topsecret' }, log);
    const batch = (await sampleRecords()).slice(0, 7);
    const e = await t.send(batch).then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(e instanceof SinkError && e.code === 'E_SINK_CONNECT', String(e));
    await t.send(batch);
    await t.close();

    const kinds = fake.seen.map((s) => (s.url.searchParams.get('query') ?? s.text).slice(0, 15));
    assert.deepEqual(kinds, ['DESCRIBE TABLE ', 'INSERT INTO `de', 'SELECT count() ', 'SELECT toUInt32', 'INSERT INTO `de']);
    assert.match(fake.seen[3].text, /^SELECT .* FROM `default`\.`flows` WHERE \(.*\) IN \(\(toDateTime\(\d+\), \d+, '/);
    assert.deepEqual(log.lines, [
      'warn: user "writer" may not read the columns of default.flows; assuming the table has flowtap\'s layout',
      `warn: ClickHouse refused user "writer" while checking which records of a resent batch are stored in default.flows (Code 497: writer: Not enough privileges. To execute this query, it's necessary to have the grant SHOW COLUMNS ON default.flows. (ACCESS_DENIED)); check the user name, password and the user's rights; sending the whole batch again, some records may be stored twice`,
    ]);
    const [first, second] = fake.seen.filter((s) => s.url.searchParams.get('query')?.startsWith('INSERT'));
    assert.equal(first.url.searchParams.get('query_id'), second.url.searchParams.get('query_id'), 'one query_id for a batch and its resend');
    assert.match(first.url.searchParams.get('query_id') ?? '', /^flowtap-[0-9a-f]{12}-[0-9a-f]{20}$/);
    assert.deepEqual(first.body, second.body);
    for (const s of fake.seen) {
      assert.equal(s.headers['x-clickhouse-user'], 'writer');
      assert.equal(s.headers['x-clickhouse-key'], 'topsecret');
      assert.equal(s.headers.authorization, undefined);
      assert.ok(!s.url.toString().includes('topsecret'));
    }
    assert.equal(first.headers['content-encoding'], 'gzip');
    const rows = first.text.split('\n').filter((l) => l !== '');
    assert.equal(rows.length, 7);
    assert.deepEqual(
      rows.map((l) => (JSON.parse(l) as { flow_id: number }).flow_id),
      batch.map((r) => r.flow_id),
    );
    assert.match(first.url.searchParams.get('query') ?? '', /^INSERT INTO `default`\.`flows` \(`protocol`, `src_addr`, .*, `risks`, `date`\) FORMAT JSONEachRow$/);
  } finally {
    await fake.close();
  }
});

test('different batches get different query_ids; the same records sent again after success are a new insert', async () => {
  const fake = await fakeClickHouse((s, res) => {
    const sql = s.url.searchParams.get('query') ?? s.text;
    if (/^DESCRIBE/.test(sql)) {
      res.end(['{"name":"first_switched","default_type":""}', '{"name":"src_addr","default_type":""}', '{"name":"date","default_type":"MATERIALIZED"}', ''].join('\n'));
    } else {
      res.end('');
    }
  });
  try {
    const log = new Log();
    const t = new ClickHouseTransport({ url: fake.url }, log);
    const recs = await sampleRecords();
    await t.send(recs.slice(0, 3));
    await t.send(recs.slice(3, 6));
    await t.send(recs.slice(0, 3));
    await t.close();
    const inserts = fake.seen.filter((s) => s.url.searchParams.get('query')?.startsWith('INSERT'));
    assert.equal(inserts.length, 3, 'no presence checks after successful inserts');
    const ids = inserts.map((s) => s.url.searchParams.get('query_id'));
    assert.notEqual(ids[0], ids[1]);
    assert.equal(inserts[0].url.searchParams.get('query'), 'INSERT INTO `default`.`flows` (`src_addr`, `first_switched`) FORMAT JSONEachRow');
    assert.deepEqual(JSON.parse(inserts[0].text.split('\n')[0]), { src_addr: recs[0].src_addr, first_switched: recs[0].first_switched });
    assert.equal(fake.seen[0].headers['x-clickhouse-user'], undefined, 'no credentials given, none sent');
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0], /^warn: table default\.flows has no column for protocol, src_port, dst_addr, .*: these fields are not stored$/);
  } finally {
    await fake.close();
  }
});
