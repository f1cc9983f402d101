/**
 * ElasticTransport against the fake Elasticsearch node: records of a real
 * capture in daily indices with @timestamp, the index template (once, right
 * mappings, legacy fallback, versions), whole-request and per-item failures,
 * authentication (Basic, API key, userinfo in the URL), TLS, a node that is
 * down or silent, and close().
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ElasticTransport } from '../../../src/export/elastic/elastic-transport';
import { documentId } from '../../../src/export/elastic/bulk';
import { TEMPLATE_VERSION } from '../../../src/export/elastic/template';
import { SinkError } from '../../../src/export/sinks/transport';
import { FakeElasticsearch, type FakeEsOptions } from '../../support/fake-elasticsearch';
import { MemoryLog, record, records, sampleRecords, selfSigned } from './helpers';

const open: { close(): Promise<void> }[] = [];
after(async () => {
  for (const o of open.reverse()) await o.close();
});

async function fake(options: FakeEsOptions = {}): Promise<FakeElasticsearch> {
  const es = await FakeElasticsearch.start(options);
  open.push({ close: () => es.stop() });
  return es;
}

function transport(init: ConstructorParameters<typeof ElasticTransport>[0], log?: MemoryLog): ElasticTransport {
  const t = new ElasticTransport(init, log);
  open.push(t);
  return t;
}

async function sinkError(p: Promise<unknown>): Promise<SinkError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SinkError, `expected a SinkError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to reject');
}

function utcDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
}

test('records of a real capture arrive in their daily index with @timestamp, unchanged otherwise', async () => {
  const es = await fake();
  const recs = sampleRecords();
  const before = structuredClone(recs);
  const t = transport({ url: es.url });
  assert.equal(t.name, `elasticsearch ${es.url}`);
  assert.equal(t.maxBatch, 2000);
  assert.equal(t.lingerMs, 1000);
  const result = await t.send(recs);
  assert.deepEqual(result, { rejected: 0 });
  assert.deepEqual(recs, before, 'send() must not modify the records');
  assert.equal(es.count(), recs.length);
  for (const r of recs) {
    const index = `flowtap-${utcDay(r.first_switched_ms)}`;
    const doc = es.indices.get(index)?.docs.get(documentId(r));
    assert.ok(doc !== undefined, `record ${r.flow_id} not in ${index}`);
    assert.equal(doc['@timestamp'], new Date(r.first_switched_ms).toISOString());
    const { '@timestamp': _stamp, ...rest } = doc;
    assert.deepEqual(rest, r);
  }
  const bulk = es.bulkRequests();
  assert.equal(bulk.length, 1);
  assert.match(String(bulk[0].headers['content-type']), /^application\/x-ndjson/);
});

test('records are split into daily indices by first_switched_ms in UTC', async () => {
  const es = await fake();
  const midnight = Date.UTC(2024, 0, 31, 0, 0, 0);
  const recs = [
    record({ flow_id: 1, first_switched_ms: midnight - 1, first_switched: Math.floor((midnight - 1) / 1000) }),
    record({ flow_id: 2, first_switched_ms: midnight, first_switched: midnight / 1000 }),
    record({ flow_id: 3, first_switched_ms: midnight + 86_399_999, first_switched: Math.floor((midnight + 86_399_999) / 1000) }),
  ];
  const t = transport({ url: es.url, indexPrefix: 'probe-a' });
  await t.send(recs);
  assert.deepEqual(es.docs('probe-a-2024.01.30').map((d) => d.flow_id), [1]);
  assert.deepEqual(es.docs('probe-a-2024.01.31').map((d) => d.flow_id).sort(), [2, 3]);
  assert.equal(es.docs('probe-a-2024.01.30')[0]['@timestamp'], '2024-01-30T23:59:59.999Z');
});

test('the index template is installed once, before the first bulk request, with the mappings the fields need', async () => {
  const es = await fake();
  const log = new MemoryLog();
  const t = transport({ url: es.url }, log);
  await t.send(sampleRecords());
  await t.send(records(3));
  const puts = es.requests.filter((r) => r.method === 'PUT' && r.path === '/_index_template/flowtap');
  assert.equal(puts.length, 1);
  const firstBulk = es.requests.findIndex((r) => r.path === '/_bulk');
  assert.ok(es.requests.indexOf(puts[0]) < firstBulk, 'template before the first bulk request');
  const tpl = es.indexTemplates.get('flowtap') as { index_patterns: string[]; version: number; template: { mappings: { properties: Record<string, { type: string; format?: string }> } } };
  assert.deepEqual(tpl.index_patterns, ['flowtap-*']);
  assert.equal(tpl.version, TEMPLATE_VERSION);
  const day = `flowtap-${utcDay(sampleRecords()[0].first_switched_ms)}`;
  const m = es.mappingOf(day);
  assert.ok(m !== undefined);
  assert.equal(m.src_addr.type, 'ip');
  assert.equal(m.dst_addr.type, 'ip');
  assert.deepEqual([m.first_switched.type, m.first_switched.format], ['date', 'epoch_second']);
  assert.deepEqual([m.first_switched_ms.type, m.first_switched_ms.format], ['date', 'epoch_millis']);
  assert.equal(m['@timestamp'].type, 'date');
  assert.equal(m.out_bytes.type, 'long');
  assert.equal(m.dst_port.type, 'integer');
  for (const f of ['protocol_name', 'community_id', 'ja3c', 'ja4', 'risks', 'user_agent', 'server_name']) assert.equal(m[f].type, 'keyword', f);
  assert.ok(log.lines.some((l) => /created index template flowtap/.test(l)), log.lines.join('\n'));
});

test('a newer template already there is kept; an older one is replaced', async () => {
  const es = await fake();
  es.indexTemplates.set('flowtap', { index_patterns: ['flowtap-*'], version: TEMPLATE_VERSION + 10, template: { mappings: { properties: { src_addr: { type: 'ip' } } } } });
  await transport({ url: es.url }).send(records(1));
  assert.equal(es.requests.filter((r) => r.method === 'PUT').length, 0);
  assert.equal((es.indexTemplates.get('flowtap') as { version: number }).version, TEMPLATE_VERSION + 10);

  const es2 = await fake();
  es2.indexTemplates.set('flowtap', { index_patterns: ['flowtap-*'], version: 0 });
  const log = new MemoryLog();
  await transport({ url: es2.url }, log).send(records(1));
  assert.equal((es2.indexTemplates.get('flowtap') as { version: number }).version, TEMPLATE_VERSION);
  assert.ok(log.lines.some((l) => /updated index template flowtap/.test(l)));
});

test('an Elasticsearch without the composable template API gets a legacy _template', async () => {
  const es = await fake({ composable: false });
  const t = transport({ url: es.url });
  await t.send(records(2));
  assert.equal(es.indexTemplates.size, 0);
  const legacy = es.legacyTemplates.get('flowtap') as { index_patterns: string[]; order: number };
  assert.ok(legacy !== undefined);
  assert.deepEqual(legacy.index_patterns, ['flowtap-*']);
  assert.equal(es.mappingOf(`flowtap-${utcDay(1_700_000_000_000)}`)?.src_addr.type, 'ip');
});

test('installTemplate false sends no template request', async () => {
  const es = await fake();
  await transport({ url: es.url, installTemplate: false }).send(records(2));
  assert.equal(es.requests.filter((r) => r.path.includes('template')).length, 0);
  assert.equal(es.count(), 2);
});

test('a user without the template privilege gets E_SINK_AUTH naming the privilege', async () => {
  const es = await fake({ templatePrivilege: false });
  const err = await sinkError(transport({ url: es.url }).send(records(1)));
  assert.equal(err.code, 'E_SINK_AUTH');
  assert.equal(err.retryable, false);
  assert.match(err.message, /manage_index_templates/);
  assert.equal(es.count(), 0);
});

test('HTTP 429 on the whole request is E_SINK_BUSY (retryable); the same batch then goes through', async () => {
  const es = await fake();
  const t = transport({ url: es.url });
  const batch = records(5);
  es.busy(1, 429);
  const err = await sinkError(t.send(batch));
  assert.equal(err.code, 'E_SINK_BUSY');
  assert.equal(err.retryable, true);
  assert.match(err.message, /429/);
  es.busy(1, 503);
  assert.equal((await sinkError(t.send(batch))).code, 'E_SINK_BUSY');
  assert.deepEqual(await t.send(batch), { rejected: 0 });
  assert.equal(es.count(), 5);
});

test('items failing with 429/500 are sent again until they are accepted', async () => {
  const es = await fake();
  const batch = records(10);
  es.failItems({ status: 429, times: 2, match: (d) => d.flow_id === 3 });
  es.failItems({ status: 500, times: 1, match: (d) => d.flow_id === 7 });
  const t = transport({ url: es.url });
  assert.deepEqual(await t.send(batch), { rejected: 0 });
  assert.equal(es.count(), 10);
  const bulk = es.bulkRequests();
  assert.equal(bulk.length, 3, 'first request, then two rounds of retries of the failed items');
  assert.ok(bulk[1].bodyBytes < bulk[0].bodyBytes / 3, 'a retry carries only the failed items');
});

test('items still failing after itemRetries make the send E_SINK_BUSY; resending the batch does not duplicate', async () => {
  const es = await fake();
  const batch = records(6);
  es.failItems({ status: 503, times: 3, match: (d) => d.flow_id === 2 });
  const t = transport({ url: es.url, itemRetries: 1 });
  const err = await sinkError(t.send(batch));
  assert.equal(err.code, 'E_SINK_BUSY');
  assert.match(err.message, /1 of 6 documents/);
  assert.equal(es.count(), 5);
  /* The delivery layer resends the whole batch: the five already there answer 409 and count as delivered. */
  assert.deepEqual(await t.send(batch), { rejected: 0 });
  assert.equal(es.count(), 6);
  assert.deepEqual(await t.send(batch), { rejected: 0 }, 'a third resend is all 409s, still delivered');
  assert.equal(es.count(), 6);
});

test('an item refused with 400 is counted as rejected with its reason; the others are delivered', async () => {
  const es = await fake();
  const batch = records(4);
  batch[2] = { ...batch[2], src_addr: 'not-an-address' };
  const t = transport({ url: es.url });
  const r = await t.send(batch);
  assert.ok(r !== undefined);
  assert.equal(r.rejected, 1);
  assert.match(r.reason ?? '', /HTTP 400 mapper_parsing_exception/);
  assert.match(r.reason ?? '', /src_addr/);
  assert.equal(es.count(), 3);
  assert.equal(es.bulkRequests().length, 1, 'a 400 item is not retried');
});

test('a wrong password is E_SINK_AUTH naming the URL, never the password', async () => {
  const es = await fake({ auth: { username: 'elastic', password: 'right-secret' } });
  const t = transport({ url: es.url, username: 'elastic', password: 'wr0ng-s3cret' });
  const err = await sinkError(t.send(records(1)));
  assert.equal(err.code, 'E_SINK_AUTH');
  assert.equal(err.retryable, false);
  assert.ok(err.message.includes(es.url), err.message);
  assert.ok(!err.message.includes('wr0ng-s3cret'));
  assert.ok(!t.name.includes('wr0ng-s3cret'));
  assert.match(err.message, /401/);
  const ok = transport({ url: es.url, username: 'elastic', password: 'right-secret' });
  await ok.send(records(1));
  assert.equal(es.count(), 1);
});

test('credentials in the URL are used and left out of the name', async () => {
  const es = await fake({ auth: { username: 'flow user', password: 'p@ss:w/rd' } });
  const url = es.url.replace('http://', `http://${encodeURIComponent('flow user')}:${encodeURIComponent('p@ss:w/rd')}@`);
  const t = transport({ url });
  assert.equal(t.name, `elasticsearch ${es.url}`);
  await t.send(records(2));
  assert.equal(es.count(), 2);
  const bad = transport({ url: url.replace('w%2Frd', 'nope') });
  const err = await sinkError(bad.send(records(1)));
  assert.equal(err.code, 'E_SINK_AUTH');
  assert.ok(!err.message.includes('nope') && !bad.name.includes('nope'));
});

test('an API key goes in an ApiKey authorization header (id:key is encoded, an encoded key is sent as is)', async () => {
  const encoded = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64');
  const es = await fake({ auth: { apiKey: encoded } });
  await transport({ url: es.url, apiKey: 'VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw' }).send(records(1));
  await transport({ url: es.url, apiKey: encoded }).send(records(2));
  assert.equal(es.count(), 2);
  assert.ok(es.requests.every((r) => r.headers.authorization === `ApiKey ${encoded}`));
  const err = await sinkError(transport({ url: es.url, apiKey: 'c29tZS1vdGhlci1rZXk=' }).send(records(1)));
  assert.equal(err.code, 'E_SINK_AUTH');
  assert.ok(!err.message.includes('c29tZS1vdGhlci1rZXk='));
});

test('an API key and a user name together are a configuration error', () => {
  assert.throws(() => new ElasticTransport({ url: 'http://127.0.0.1:9', apiKey: 'a:b', username: 'u', password: 'p' }), (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONFIG' && !e.message.includes(':b'));
});

test('bad URLs and index prefixes are E_SINK_CONFIG without echoing credentials', () => {
  const config = (init: ConstructorParameters<typeof ElasticTransport>[0]): SinkError => {
    try {
      new ElasticTransport(init);
    } catch (e) {
      assert.ok(e instanceof SinkError);
      return e;
    }
    assert.fail('expected E_SINK_CONFIG');
  };
  assert.equal(config({ url: 'ftp://host:9200' }).code, 'E_SINK_CONFIG');
  const e = config({ url: 'http://user:s3cr3t@' });
  assert.equal(e.code, 'E_SINK_CONFIG');
  assert.ok(!e.message.includes('s3cr3t'), e.message);
  assert.equal(config({ url: 'http://h:9200', indexPrefix: 'Flows' }).code, 'E_SINK_CONFIG');
  assert.equal(config({ url: 'http://h:9200', indexPrefix: '_x' }).code, 'E_SINK_CONFIG');
});

test('a URL path prefix (reverse proxy) is kept in front of every API path', async () => {
  const es = await fake({ pathPrefix: '/es' });
  const t = transport({ url: `${es.url}/` });
  assert.equal(t.name, `elasticsearch ${es.url}`);
  await t.send(records(2));
  assert.equal(es.count(), 2);
  assert.ok(es.requests.every((r) => r.path.startsWith('/es/')));
});

test('TLS: a self-signed node is accepted with its CA, refused with E_SINK_TLS without it', async (t) => {
  const cert = selfSigned();
  if (cert === null) {
    t.skip('openssl is not installed (apt-get install openssl)');
    return;
  }
  const es = await fake({ tls: { key: cert.key, cert: cert.cert } });
  assert.match(es.url, /^https:/);
  const trusting = transport({ url: es.url, tls: { ca: cert.cert } });
  await trusting.send(records(2));
  assert.equal(es.count(), 2);
  const err = await sinkError(transport({ url: es.url }).send(records(1)));
  assert.equal(err.code, 'E_SINK_TLS');
  assert.equal(err.retryable, false);
  assert.match(err.message, /CA certificate/);
  await transport({ url: es.url, tls: { rejectUnauthorized: false } }).send(records(3));
  assert.equal(es.count(), 3);
  const other = selfSigned();
  assert.ok(other !== null);
  assert.equal((await sinkError(transport({ url: es.url, tls: { ca: other.cert } }).send(records(1)))).code, 'E_SINK_TLS');
});

test('TLS: a node that requires a client certificate accepts the configured one', async (t) => {
  const server = selfSigned();
  const client = selfSigned('flowtap-client');
  if (server === null || client === null) {
    t.skip('openssl is not installed (apt-get install openssl)');
    return;
  }
  const es = await fake({ tls: { key: server.key, cert: server.cert, ca: client.cert, requestCert: true } });
  await transport({ url: es.url, tls: { ca: server.cert, cert: client.cert, key: client.key } }).send(records(2));
  assert.equal(es.count(), 2);
  const err = await sinkError(transport({ url: es.url, tls: { ca: server.cert } }).send(records(1)));
  assert.ok(err.code === 'E_SINK_TLS' || err.code === 'E_SINK_CONNECT', `${err.code}: ${err.message}`);
});

test('a node that is down is E_SINK_CONNECT naming host and port', async () => {
  const es = await fake();
  const url = es.url;
  await es.stop();
  const err = await sinkError(transport({ url, timeoutMs: 10_000 }).send(records(1)));
  assert.equal(err.code, 'E_SINK_CONNECT');
  assert.equal(err.retryable, true);
  assert.ok(err.message.includes(url), err.message);
  assert.match(err.message, /ECONNREFUSED/);
});

test('a node that does not answer is E_SINK_TIMEOUT', async () => {
  const es = await fake();
  es.hang = true;
  const err = await sinkError(transport({ url: es.url, timeoutMs: 300 }).send(records(1)));
  assert.equal(err.code, 'E_SINK_TIMEOUT');
  assert.match(err.message, /300 ms/);
});

test('over https, a node that takes the connection but never completes the TLS handshake is E_SINK_TLS, not retried', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    sockets.add(s);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const { port } = silent.address() as AddressInfo;
    const err = await sinkError(transport({ url: `https://127.0.0.1:${port}`, timeoutMs: 300, installTemplate: false }).send(records(1)));
    assert.equal(err.code, 'E_SINK_TLS');
    assert.equal(err.retryable, false);
    assert.match(err.message, /TLS did not complete within 300 ms/);
    const plain = await sinkError(transport({ url: `http://127.0.0.1:${port}`, timeoutMs: 300, installTemplate: false }).send(records(1)));
    assert.equal(plain.code, 'E_SINK_TIMEOUT', 'over http the same peer is a node that does not answer');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

test('close() rejects a send in flight and is idempotent; later sends reject', async () => {
  const es = await fake();
  const t = transport({ url: es.url, installTemplate: false });
  es.hang = true;
  const pending = t.send(records(1));
  while (es.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  await t.close();
  await t.close();
  assert.equal((await sinkError(pending)).code, 'E_SINK_CONNECT');
  assert.equal((await sinkError(t.send(records(1)))).code, 'E_SINK_CONNECT');
});

test('an answer that is not a bulk answer (a proxy page) is E_SINK_PROTOCOL', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>login</html>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  open.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const err = await sinkError(transport({ url, installTemplate: false }).send(records(1)));
  assert.equal(err.code, 'E_SINK_PROTOCOL');
});

test('an item refused for lack of write privilege is E_SINK_AUTH, not a rejected record', async () => {
  const es = await fake();
  es.failItems({ status: 403, times: 1 });
  const err = await sinkError(transport({ url: es.url }).send(records(2)));
  assert.equal(err.code, 'E_SINK_AUTH');
});

/**
 * A raw HTTP/1.1 server answering bulk requests for one document with success
 * and keeping the connection open; `resetSecond` resets a connection when a
 * second request arrives on it (a keep-alive socket gone bad under the client).
 */
async function rawBulkServer(resetSecond: boolean, resetAll = false): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let served = 0;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        if (resetAll || (resetSecond && served === 1)) {
          sock.resetAndDestroy();
          return;
        }
        served++;
        const body = '{"errors":false,"items":[{"create":{"status":201}}]}';
        sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const close = (): Promise<void> => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  open.push({ close });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, close };
}

test('a keep-alive connection reset under a request is retried once on a fresh connection', async () => {
  const srv = await rawBulkServer(true);
  const t = transport({ url: srv.url, installTemplate: false });
  await t.send(records(1));
  assert.equal(srv.connections(), 1);
  await t.send(records(1));
  assert.equal(srv.connections(), 2, 'the second send went out again on a new connection');
});

test('a connection reset on a fresh connection is E_SINK_CONNECT (no endless retrying)', async () => {
  const srv = await rawBulkServer(false, true);
  const err = await sinkError(transport({ url: srv.url, installTemplate: false }).send(records(1)));
  assert.equal(err.code, 'E_SINK_CONNECT');
  assert.equal(srv.connections(), 1);
});
