/**
 * fluentd forward encoding at byte level: EventTime bytes, the four carrier
 * modes decoded by Debian's python3-msgpack (peers/decode.py), integers
 * beyond 32 bits as int64, the exact JSON text of -m json, the option checks
 * and the transport's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { Unpackr, unpack } from 'msgpackr';
import { eventTimeBytes, recordTimeMs } from '../../../src/export/fluent/event-time';
import { encodeBatch, msgpackSafe, packr, type EncodeSettings } from '../../../src/export/fluent/encode';
import { ForwardTransport } from '../../../src/export/fluent/forward-transport';
import type { FlowRecord } from '../../../src/flow/record';
import { UsageError } from '../../../src/util/errors';
import { flowRecord, plain, pythonDecode, pythonMissing, records } from './helpers';

const noPython = pythonMissing();
const settings = (over: Partial<EncodeSettings> = {}): EncodeSettings => ({ tag: 'ndpi.flow', encoding: 'msgpack', mode: 'packed', eventTime: true, ...over });
const eventTimeOf = (r: FlowRecord): { EventTime: [number, number] } => ({
  EventTime: [Math.floor(r.last_switched_ms / 1000), (r.last_switched_ms % 1000) * 1_000_000],
});

test('EventTime is fixext8 of type 0: 32-bit big-endian seconds then nanoseconds', () => {
  assert.equal(eventTimeBytes(1_700_000_000_123).toString('hex'), 'd7006553f1000754d4c0');
  assert.equal(eventTimeBytes(0).toString('hex'), 'd700' + '00'.repeat(8));
  assert.equal(eventTimeBytes(1_700_000_000_999).subarray(6).readUInt32BE(0), 999_000_000);
});

test('a record is timed by last_switched_ms (the packet clock), else by last_switched seconds', () => {
  assert.equal(recordTimeMs(flowRecord(0, { last_switched_ms: 1_234_567_890_123 })), 1_234_567_890_123);
  const old = flowRecord(1, { last_switched: 1_600_000_000 });
  delete (old as Partial<FlowRecord>).last_switched_ms;
  assert.equal(recordTimeMs(old), 1_600_000_000_000);
});

test('integers beyond 32 bits are written as msgpack int64, not float64; undefined members are left out', () => {
  const bytes = packr.pack(msgpackSafe({ a: 6_000_000_000, b: -3_000_000_000, c: 7, d: undefined, e: [undefined, 1.5] }));
  const hex = bytes.toString('hex');
  assert.ok(hex.includes('a161d3' + '0000000165a0bc00'), `a as int64 in ${hex}`);
  assert.ok(hex.includes('a162d3' + 'ffffffff4d2fa200'), `b as int64 in ${hex}`);
  assert.ok(!hex.includes('a164'), 'no key d');
  assert.deepEqual(new Unpackr({ useRecords: false, int64AsType: 'number' }).unpack(bytes), { a: 6_000_000_000, b: -3_000_000_000, c: 7, e: [null, 1.5] });
});

test('PackedForward: python3-msgpack reads the tag, bin entries with EventTime, the records and {size, chunk}', { skip: noPython ?? false }, async () => {
  const batch = records(9);
  const bytes = await encodeBatch(batch, settings(), ['Y2h1bmstaWQtb2YtdGVzdA==']);
  const [msg, ...rest] = pythonDecode(bytes);
  assert.equal(rest.length, 0);
  assert.equal(msg.tag, 'ndpi.flow');
  assert.equal(msg.mode, 'packed');
  assert.equal(msg.entries_format, 'bin');
  assert.deepEqual(msg.option, { size: 9, chunk: 'Y2h1bmstaWQtb2YtdGVzdA==' });
  assert.deepEqual(msg.events, batch.map((r) => [eventTimeOf(r), plain(r)]));
});

test('PackedForward keeps out_bytes beyond 2^32 an integer (int64) in the entry stream', async () => {
  const r = flowRecord(0, { out_bytes: 6_000_000_001 });
  const bytes = await encodeBatch([r], settings(), null);
  assert.ok(bytes.includes(Buffer.concat([Buffer.from('a96f75745f6279746573d3', 'hex'), Buffer.from('0000000165a0bc01', 'hex')])));
});

test('CompressedPackedForward is the gzipped event stream with option compressed: gzip', { skip: noPython ?? false }, async () => {
  const batch = records(20);
  const bytes = await encodeBatch(batch, settings({ mode: 'compressed' }), ['Y2h1bms=']);
  const [msg] = pythonDecode(bytes);
  assert.equal(msg.mode, 'compressed');
  assert.equal(msg.entries_format, 'bin');
  assert.deepEqual(msg.option, { size: 20, chunk: 'Y2h1bms=', compressed: 'gzip' });
  assert.deepEqual(msg.events, batch.map((r) => [eventTimeOf(r), plain(r)]));
  const outer = unpack(bytes) as [string, Buffer, unknown];
  assert.deepEqual([...gunzipSync(outer[1]).subarray(0, 2)], [0x92, 0xd7], 'an entry: fixarray 2, then EventTime');
});

test('Forward mode is [tag, [[time, record], ...], {size, chunk}]', { skip: noPython ?? false }, async () => {
  const batch = records(3);
  const [msg] = pythonDecode(await encodeBatch(batch, settings({ mode: 'forward' }), ['Zm9yd2FyZA==']));
  assert.equal(msg.mode, 'forward');
  assert.equal(msg.length, 3);
  assert.deepEqual(msg.option, { size: 3, chunk: 'Zm9yd2FyZA==' });
  assert.deepEqual(msg.events, batch.map((r) => [eventTimeOf(r), plain(r)]));
});

test("Message mode without acks is ndff's [tag, time, record]; with acks each record has its own chunk", { skip: noPython ?? false }, async () => {
  const batch = records(3);
  const bare = pythonDecode(await encodeBatch(batch, settings({ mode: 'message', eventTime: false }), null));
  assert.deepEqual(bare.map((m) => [m.length, m.option]), [[3, null], [3, null], [3, null]]);
  assert.deepEqual(bare.map((m) => m.events[0]), batch.map((r) => [Math.floor(r.last_switched_ms / 1000), plain(r)]));
  const acked = pythonDecode(await encodeBatch(batch, settings({ mode: 'message' }), ['YQ==', 'Yg==', 'Yw==']));
  assert.deepEqual(acked.map((m) => [m.length, m.option]), [[4, { chunk: 'YQ==' }], [4, { chunk: 'Yg==' }], [4, { chunk: 'Yw==' }]]);
});

test('eventTime off sends integer seconds in every mode', { skip: noPython ?? false }, async () => {
  const batch = records(2);
  for (const mode of ['message', 'forward', 'packed', 'compressed'] as const) {
    const msgs = pythonDecode(await encodeBatch(batch, settings({ mode, eventTime: false }), null));
    const times = msgs.flatMap((m) => m.events.map((e) => e[0]));
    assert.deepEqual(times, batch.map((r) => Math.floor(r.last_switched_ms / 1000)), mode);
  }
});

const small = { protocol: 'UDP', src_addr: '10.0.0.1', last_switched_ms: 1_700_000_000_999, risks: [], icmp_type: undefined } as unknown as FlowRecord;

test('-m json, forward mode (the default): one JSON array per batch, integer seconds, {size, chunk}', async () => {
  const text = (await encodeBatch([small, small], settings({ encoding: 'json', mode: 'forward' }), ['Y2g='])).toString('utf8');
  const rec = '{"protocol":"UDP","src_addr":"10.0.0.1","last_switched_ms":1700000000999,"risks":[]}';
  assert.equal(text, `["ndpi.flow",[[1700000000,${rec}],[1700000000,${rec}]],{"size":2,"chunk":"Y2g="}]`);
});

test("-m json, message mode without acks: exactly ndff's [\"tag\",seconds,{record}] per record, back to back", async () => {
  const text = (await encodeBatch([small, small], settings({ encoding: 'json', mode: 'message' }), null)).toString('utf8');
  const one = '["ndpi.flow",1700000000,{"protocol":"UDP","src_addr":"10.0.0.1","last_switched_ms":1700000000999,"risks":[]}]';
  assert.equal(text, one + one);
  const acked = (await encodeBatch([small], settings({ encoding: 'json', mode: 'message' }), ['eA=='])).toString('utf8');
  assert.equal(acked, one.slice(0, -1) + ',{"chunk":"eA=="}]');
});

test('option combinations that cannot work are refused as E_CONFIG, naming the option and no secret', () => {
  const refused = (o: ConstructorParameters<typeof ForwardTransport>[0], words: RegExp): void => {
    assert.throws(() => new ForwardTransport(o), (e: unknown) => e instanceof UsageError && e.code === 'E_CONFIG' && words.test(e.message) && !e.message.includes('s3cret'));
  };
  refused({ host: 'h', encoding: 'json', mode: 'packed' }, /mode 'packed' needs msgpack/);
  refused({ host: 'h', encoding: 'json', mode: 'compressed' }, /mode 'compressed' needs msgpack/);
  refused({ host: 'h', encoding: 'json', sharedKey: 's3cret' }, /shared key needs msgpack/);
  refused({ host: 'h', port: 0 }, /port 0/);
  refused({ host: 'h', port: 70000 }, /port 70000/);
  refused({ host: '' }, /host/);
  refused({ host: 'h', tag: '' }, /tag/);
  refused({ host: 'h', username: 'u', password: 's3cret' }, /needs a shared key/);
  refused({ host: 'h', sharedKey: 'k', username: 'u' }, /username and password/);
  refused({ host: 'h', ackTimeoutMs: 0 }, /ackTimeoutMs/);
});

test('the name says fluentd, tcp or tls, host:port and (json); never a secret', () => {
  assert.equal(new ForwardTransport({ host: '10.0.0.5' }).name, 'fluentd tcp://10.0.0.5:24224');
  assert.equal(new ForwardTransport({ host: 'log.example', port: 24225, tls: {}, sharedKey: 's3cret' }).name, 'fluentd tls://log.example:24225');
  assert.equal(new ForwardTransport({ host: '::1', encoding: 'json' }).name, 'fluentd tcp://[::1]:24224 (json)');
  const t = new ForwardTransport({ host: 'h' });
  assert.equal(t.maxBatch, 1000);
  assert.equal(t.lingerMs, 1000);
  assert.equal(new ForwardTransport({ host: 'h', maxBatch: 50, lingerMs: 20 }).maxBatch, 50);
});
