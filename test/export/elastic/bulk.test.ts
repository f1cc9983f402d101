/**
 * The _bulk body and answer for flow records: daily index names in UTC, the
 * deterministic document id, the NDJSON lines (create action, @timestamp
 * first, final newline), the answer parser, and the mappings covering every
 * field of docs/schema.md with the right types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DailyIndex, bulkEntry, documentId, parseBulkAnswer } from '../../../src/export/elastic/bulk';
import { fieldMappings, flowMappings } from '../../../src/export/elastic/mappings';
import { composableTemplate, legacyTemplate } from '../../../src/export/elastic/template';
import { ROOT } from '../../cli/helpers';
import { record, sampleRecords } from './helpers';

test('daily index names follow the UTC day of the time, also across day, month and year ends', () => {
  const ix = new DailyIndex('flowtap');
  assert.equal(ix.name(Date.UTC(2024, 0, 31, 23, 59, 59, 999)), 'flowtap-2024.01.31');
  assert.equal(ix.name(Date.UTC(2024, 1, 1, 0, 0, 0, 0)), 'flowtap-2024.02.01');
  assert.equal(ix.name(Date.UTC(2024, 1, 1, 12)), 'flowtap-2024.02.01');
  assert.equal(ix.name(Date.UTC(2023, 11, 31, 23, 0)), 'flowtap-2023.12.31');
  assert.equal(ix.name(Date.UTC(2024, 1, 29, 5)), 'flowtap-2024.02.29');
  assert.equal(ix.name(0), 'flowtap-1970.01.01');
  assert.equal(new DailyIndex('x').name(Date.UTC(2025, 8, 9)), 'x-2025.09.09');
});

test('the document id is stable for a record and differs when any of its inputs differs', () => {
  const r = record();
  const id = documentId(r);
  assert.match(id, /^[A-Za-z0-9_-]{27}$/);
  assert.equal(documentId(structuredClone(r)), id);
  assert.equal(documentId({ ...r, out_bytes: 999 }), id, 'counters are not part of the id');
  for (const over of [{ community_id: '1:other' }, { first_switched_ms: r.first_switched_ms + 1 }, { record_seq: 1 }, { flow_id: 2 }]) {
    assert.notEqual(documentId({ ...r, ...over }), id, JSON.stringify(over));
  }
  const ids = new Set(sampleRecords().map(documentId));
  assert.equal(ids.size, sampleRecords().length, 'every record of a capture gets its own id');
});

test('a bulk entry is a create action line and the document with @timestamp first, each ended by a newline', () => {
  const r = record({ first_switched_ms: Date.UTC(2024, 0, 31, 10, 0, 0, 123), user_agent: 'curl/8 "quoted" \u00e9' });
  const entry = bulkEntry(r, new DailyIndex('flowtap'));
  assert.ok(entry.endsWith('\n'));
  const lines = entry.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(JSON.parse(lines[0]), { create: { _index: 'flowtap-2024.01.31', _id: documentId(r) } });
  assert.ok(lines[1].startsWith('{"@timestamp":"2024-01-31T10:00:00.123Z",'));
  assert.deepEqual(JSON.parse(lines[1]), { '@timestamp': '2024-01-31T10:00:00.123Z', ...r });
  assert.equal(Object.keys(JSON.parse(lines[1]))[0], '@timestamp');
});

test('the bulk answer parser reads statuses and errors in order and refuses what is not a bulk answer', () => {
  const body = JSON.stringify({
    took: 3, errors: true,
    items: [
      { create: { _index: 'i', _id: 'a', status: 201 } },
      { create: { _index: 'i', _id: 'b', status: 409, error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } },
      { create: { _index: 'i', _id: 'c', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [src_addr]', caused_by: { type: 'illegal_argument_exception', reason: "'x' is not an IP string literal." } } } },
    ],
  });
  const a = parseBulkAnswer(body, 3);
  assert.ok(a !== null);
  assert.equal(a.errors, true);
  assert.deepEqual(a.items.map((i) => i.status), [201, 409, 400]);
  assert.equal(a.items[2].errorType, 'mapper_parsing_exception');
  assert.equal(a.items[2].error, "mapper_parsing_exception: failed to parse field [src_addr] ('x' is not an IP string literal.)");
  assert.equal(parseBulkAnswer(body, 2), null, 'item count must match the request');
  assert.equal(parseBulkAnswer('<html></html>', 3), null);
  assert.equal(parseBulkAnswer('{"errors":false}', 0), null);
  assert.equal(parseBulkAnswer('{"errors":false,"items":[{"create":{}}]}', 1), null);
  assert.deepEqual(parseBulkAnswer('{"errors":false,"items":[{"index":{"status":201}}]}', 1), { errors: false, items: [{ status: 201 }] });
});

/** Field names in the tables of docs/schema.md. */
function schemaFields(): string[] {
  const text = readFileSync(join(ROOT, 'docs', 'schema.md'), 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/^\| `([a-z0-9_]+)` \|/gm)) names.add(m[1]);
  return [...names];
}

test('every field of docs/schema.md has an explicit mapping', () => {
  const fields = schemaFields();
  assert.ok(fields.length > 60, `schema tables not found (${fields.length} fields)`);
  const mapped = fieldMappings();
  const missing = fields.filter((f) => mapped[f] === undefined);
  assert.deepEqual(missing, []);
});

test('the mappings give each kind of field the type queries and dashboards need', () => {
  const m = fieldMappings() as Record<string, { type: string; format?: string }>;
  const typeOf = (f: string): string => (m[f].format !== undefined ? `${m[f].type}/${m[f].format}` : m[f].type);
  for (const f of ['src_addr', 'dst_addr']) assert.equal(typeOf(f), 'ip', f);
  for (const f of ['first_switched', 'last_switched']) assert.equal(typeOf(f), 'date/epoch_second', f);
  for (const f of ['first_switched_ms', 'last_switched_ms', 'tls_not_before', 'tls_not_after']) assert.equal(typeOf(f), 'date/epoch_millis', f);
  assert.equal(typeOf('@timestamp'), 'date');
  for (const f of ['out_pkts', 'out_bytes', 'in_pkts', 'in_bytes', 'duration_ms', 'flow_id']) assert.equal(typeOf(f), 'long', f);
  for (const f of ['src_port', 'dst_port', 'vlan_id', 'ip_protocol', 'out_tcp_flags', 'icmp_type', 'http_status', 'dns_rcode']) assert.equal(typeOf(f), 'integer', f);
  for (const f of ['protocol', 'protocol_name', 'category', 'confidence', 'flow_end_reason', 'tunnel', 'community_id', 'server_name',
    'ja3c', 'ja3s', 'ja4', 'hassh_c', 'hassh_s', 'bt_hash', 'tls_version', 'user_agent', 'info', 'risks', 'dns_answers', 'url']) {
    assert.equal(typeOf(f), 'keyword', f);
  }
  const whole = flowMappings(1) as { dynamic_templates: { strings_as_keyword: { match_mapping_type: string; mapping: { type: string } } }[]; date_detection: boolean };
  assert.equal(whole.dynamic_templates[0].strings_as_keyword.match_mapping_type, 'string');
  assert.equal(whole.dynamic_templates[0].strings_as_keyword.mapping.type, 'keyword');
  assert.equal(whole.date_detection, false);
});

test('the composable and the legacy template carry the same mappings for the prefix pattern', () => {
  const c = composableTemplate('flows') as { index_patterns: string[]; template: { mappings: unknown } };
  const l = legacyTemplate('flows') as { index_patterns: string[]; mappings: unknown };
  assert.deepEqual(c.index_patterns, ['flows-*']);
  assert.deepEqual(l.index_patterns, ['flows-*']);
  assert.deepEqual(c.template.mappings, l.mappings);
});
