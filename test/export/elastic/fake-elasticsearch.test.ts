/**
 * The fake Elasticsearch node holds clients to the bulk and template API
 * contract (so the transport tests mean something): content type, final
 * newline, action lines, mapping checks against the installed template,
 * 409 on create of an existing id, filter_path, security, and the answer
 * shapes. Requests are made with plain node:http, not with the transport.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FakeElasticsearch, filterPath } from '../../support/fake-elasticsearch';
import { composableTemplate } from '../../../src/export/elastic/template';

const servers: FakeElasticsearch[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function start(options: ConstructorParameters<typeof FakeElasticsearch>[0] = {}): Promise<FakeElasticsearch> {
  const es = await FakeElasticsearch.start(options);
  servers.push(es);
  return es;
}

function call(es: FakeElasticsearch, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: es.port, method, path, headers: body !== undefined ? { 'Content-Type': 'application/x-ndjson', ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const line = (o: unknown): string => `${JSON.stringify(o)}\n`;
type Items = { [action: string]: { status: number; _id: string; error?: { type: string; reason: string } } }[];

test('bulk refuses an unsupported content type (406) and a body without the final newline (400)', async () => {
  const es = await start();
  const body = line({ create: { _index: 'a' } }) + line({ x: 1 });
  assert.equal((await call(es, 'POST', '/_bulk', body, { 'Content-Type': 'text/plain' })).status, 406);
  const r = await call(es, 'POST', '/_bulk', body.slice(0, -1));
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.json), /must be terminated by a newline/);
  assert.equal((await call(es, 'POST', '/_bulk', line({ nonsense: {} }) + line({}))).status, 400);
  assert.equal((await call(es, 'POST', '/_bulk', '')).status, 400);
  assert.equal(es.count(), 0);
  assert.equal((await call(es, 'POST', '/_bulk', body, { 'Content-Type': 'application/json; charset=UTF-8' })).status, 200);
  assert.equal(es.count(), 1);
});

test('bulk answers per item in order: 201 created, 409 for create of an existing id, 400 for a mapping error', async () => {
  const es = await start();
  const put = await call(es, 'PUT', '/_index_template/flowtap', JSON.stringify(composableTemplate('flowtap')), { 'Content-Type': 'application/json' });
  assert.deepEqual(put, { status: 200, json: { acknowledged: true } });
  const body = line({ create: { _index: 'flowtap-2024.01.01', _id: 'one' } }) + line({ src_addr: '10.0.0.1', dst_port: 80 })
    + line({ create: { _index: 'flowtap-2024.01.01', _id: 'one' } }) + line({ src_addr: '10.0.0.1', dst_port: 80 })
    + line({ create: { _index: 'flowtap-2024.01.01', _id: 'two' } }) + line({ src_addr: '10.0.0.999' })
    + line({ create: { _index: 'flowtap-2024.01.01', _id: 'three' } }) + line({ dst_port: 'http' })
    + line({ create: { _index: 'flowtap-2024.01.01', _id: 'four' } }) + line({ first_switched: '2024-01-01' })
    + line({ index: { _index: 'flowtap-2024.01.01', _id: 'five' } }) + line({ something_new: 'text', tls_not_after: 'garbage' });
  const r = await call(es, 'POST', '/_bulk', body);
  assert.equal(r.status, 200);
  assert.equal(r.json.errors, true);
  assert.equal(typeof r.json.took, 'number');
  const items = r.json.items as Items;
  assert.deepEqual(items.map((i) => Object.keys(i)[0]), ['create', 'create', 'create', 'create', 'create', 'index']);
  assert.deepEqual(items.map((i) => Object.values(i)[0].status), [201, 409, 400, 400, 400, 201]);
  assert.equal(items[1].create.error?.type, 'version_conflict_engine_exception');
  assert.equal(items[2].create.error?.type, 'mapper_parsing_exception');
  assert.match(items[2].create.error?.reason ?? '', /\[src_addr\] of type \[ip\]/);
  assert.match(JSON.stringify(items[4].create.error), /with format \[epoch_second\]/);
  assert.equal(es.mappingOf('flowtap-2024.01.01')?.something_new.type, 'keyword', 'dynamic template: strings as keyword');
  assert.equal(es.docs('flowtap-2024.01.01').length, 2);
});

test('without a template, dynamic mapping applies and an index name must be valid', async () => {
  const es = await start();
  const r = await call(es, 'POST', '/_bulk', line({ create: { _index: 'plain' } }) + line({ a: 'x', n: 3, when: '2024-01-01T00:00:00Z' }) + line({ create: { _index: 'Bad' } }) + line({ a: 'y' }));
  const items = r.json.items as Items;
  assert.deepEqual(items.map((i) => i.create.status), [201, 400]);
  assert.equal(items[1].create.error?.type, 'invalid_index_name_exception');
  const m = es.mappingOf('plain');
  assert.deepEqual([m?.a.type, m?.n.type, m?.when.type], ['text', 'long', 'date']);
  const r2 = await call(es, 'POST', '/_bulk', line({ create: { _index: 'plain' } }) + line({ n: 'not a number' }));
  assert.equal((r2.json.items as Items)[0].create.status, 400);
});

test('template APIs: documented answer shapes, missing templates, body checks, legacy API, pre-7.8 behaviour', async () => {
  const es = await start();
  const missing = await call(es, 'GET', '/_index_template/nope');
  assert.equal(missing.status, 404);
  assert.equal((missing.json.error as { type: string }).type, 'resource_not_found_exception');
  const json = { 'Content-Type': 'application/json' };
  assert.equal((await call(es, 'PUT', '/_index_template/t', JSON.stringify({ index_patterns: ['t-*'], bogus: 1 }), json)).status, 400);
  assert.equal((await call(es, 'PUT', '/_index_template/t', JSON.stringify({ template: {} }), json)).status, 400);
  assert.equal((await call(es, 'PUT', '/_index_template/t', JSON.stringify({ index_patterns: ['t-*'], template: { mappings: { properties: { a: { type: 'strnig' } } } } }), json)).status, 400);
  assert.equal((await call(es, 'PUT', '/_index_template/t', JSON.stringify({ index_patterns: ['t-*'], version: 3 }), json)).status, 200);
  assert.deepEqual((await call(es, 'GET', '/_index_template/t')).json, { index_templates: [{ name: 't', index_template: { index_patterns: ['t-*'], version: 3 } }] });
  assert.deepEqual(await call(es, 'GET', '/_template/t'), { status: 404, json: {} });
  assert.equal((await call(es, 'PUT', '/_template/t', JSON.stringify({ index_patterns: ['t-*'], priority: 1 }), json)).status, 400, 'priority is not a legacy template field');
  assert.equal((await call(es, 'PUT', '/_template/t', JSON.stringify({ index_patterns: ['t-*'], order: 2, version: 1 }), json)).status, 200);
  assert.deepEqual((await call(es, 'GET', '/_template/t')).json, { t: { index_patterns: ['t-*'], order: 2, version: 1 } });
  const old = await start({ composable: false });
  assert.equal((await call(old, 'GET', '/_index_template/t')).status, 400);
  assert.equal((await call(old, 'GET', '/')).json.version !== undefined, true);
});

test('security: 401 with WWW-Authenticate for missing or wrong credentials, 403 for templates without the privilege', async () => {
  const es = await start({ auth: { username: 'u', password: 'p' }, templatePrivilege: false });
  const none = await call(es, 'GET', '/');
  assert.equal(none.status, 401);
  assert.equal((none.json.error as { type: string }).type, 'security_exception');
  const basic = (u: string, p: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  assert.equal((await call(es, 'GET', '/', undefined, basic('u', 'x'))).status, 401);
  assert.equal((await call(es, 'GET', '/', undefined, basic('u', 'p'))).status, 200);
  assert.equal((await call(es, 'GET', '/_index_template/flowtap', undefined, basic('u', 'p'))).status, 403);
});

test('faults: busy answers whole requests, failItems fails chosen items, filter_path trims the answer', async () => {
  const es = await start();
  const body = line({ create: { _index: 'f', _id: '1' } }) + line({ k: 1 }) + line({ create: { _index: 'f', _id: '2' } }) + line({ k: 2 });
  es.busy(1, 429);
  assert.equal((await call(es, 'POST', '/_bulk', body)).status, 429);
  es.failItems({ status: 500, times: 1, match: (d) => d.k === 2 });
  const r = await call(es, 'POST', '/_bulk?filter_path=errors,items.*.status,items.*.error', body);
  assert.equal(r.json.took, undefined);
  assert.deepEqual((r.json.items as Items).map((i) => Object.keys(i.create).sort().join(',')), ['status', 'error,status']);
  assert.deepEqual((r.json.items as Items).map((i) => i.create.status), [201, 500]);
  assert.deepEqual(filterPath({ a: 1, b: { c: 2, d: 3 } }, [['b', 'c']]), { b: { c: 2 } });
});
