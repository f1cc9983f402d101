/**
 * The msgpack writer of the forward transport writes the same bytes as
 * msgpackr over the int64-safe copy (the encoding it replaces): every
 * integer boundary, strings of every header size, non-ASCII and lone
 * surrogates, nested maps and arrays, undefined members, BigInt, byte arrays,
 * values only msgpackr knows (a Date), and realistic flow records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Unpackr } from 'msgpackr';
import { MsgpackWriter } from '../../../src/export/fluent/msgpack-writer';
import { msgpackSafe, packr } from '../../../src/export/fluent/encode';
import { records } from './helpers';

const fallback = (v: unknown): Buffer => packr.pack(msgpackSafe(v));

function written(v: unknown, initialBytes?: number): string {
  const w = new MsgpackWriter(fallback, initialBytes);
  w.value(v);
  return w.bytes().toString('hex');
}

const viaMsgpackr = (v: unknown): string => fallback(v).toString('hex');

test('integers are written like msgpackr over the int64-safe copy, at every size boundary', () => {
  const edges = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffff_ffff, 0x1_0000_0000, 6_000_000_000, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64];
  for (const e of edges) {
    for (const v of [e, -e, -e - 1]) assert.equal(written(v), viaMsgpackr(v), `value ${v}`);
  }
  for (const v of [-32, -33, -128, -129, -0x8000, -0x8001, -0x8000_0000, -0x8000_0001, -0]) assert.equal(written(v), viaMsgpackr(v), `value ${v}`);
  assert.equal(written(1_704_067_209_099), 'd3' + '0000018cc252178b', 'a millisecond time is int64');
});

test('other numbers are float64, as msgpackr writes them', () => {
  for (const v of [1.5, -0.25, NaN, Infinity, -Infinity, 1e300]) assert.equal(written(v), viaMsgpackr(v), `value ${v}`);
});

test('strings get the header of their UTF-8 length: fixstr, str8, str16, str32', () => {
  for (const n of [0, 1, 31, 32, 255, 256, 65_535, 65_536]) {
    const s = 'x'.repeat(n);
    assert.equal(written(s), viaMsgpackr(s), `length ${n}`);
  }
  for (const s of ['bücher.example', 'é'.repeat(16), 'é'.repeat(15) + 'x', '\u{1F600} emoji', 'a"quoted" \\ back', '\u0000\u007f\u0080']) {
    assert.equal(written(s), viaMsgpackr(s), JSON.stringify(s));
  }
  const lone = 'ab\ud800cd';
  assert.equal(new Unpackr().unpack(Buffer.from(written(lone), 'hex')), 'ab\ufffdcd', 'a lone surrogate becomes U+FFFD');
});

test('maps and arrays leave undefined members out and write undefined items as nil, like JSON', () => {
  const v = { a: 6_000_000_000, b: -3_000_000_000, c: 7, d: undefined, e: [undefined, 1.5, 'x'], f: { g: null, h: true, i: false }, j: () => 1, k: [] };
  assert.equal(written(v), viaMsgpackr(v));
  assert.deepEqual(new Unpackr({ useRecords: false, int64AsType: 'number' }).unpack(Buffer.from(written(v), 'hex')), JSON.parse(JSON.stringify(v)));
});

test('map and array headers grow to 16 and 32 bits', () => {
  for (const n of [15, 16, 65_535, 65_536]) {
    const arr = Array.from({ length: n }, (_, i) => i % 3);
    assert.equal(written(arr), viaMsgpackr(arr), `array of ${n}`);
    const obj = Object.fromEntries(arr.map((x, i) => [`k${i}`, x]));
    assert.equal(written(obj), viaMsgpackr(obj), `map of ${n}`);
  }
});

test('BigInt is int64, or uint64 above the int64 range; byte arrays are bin; a Date goes through msgpackr', () => {
  for (const v of [0n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n]) assert.equal(written(v), viaMsgpackr(v), `value ${v}`);
  assert.throws(() => written(2n ** 64n), RangeError);
  for (const n of [0, 255, 256, 65_536]) {
    const b = Buffer.alloc(n, 7);
    assert.equal(written(b), viaMsgpackr(b), `bin of ${n}`);
  }
  const d = { when: new Date(1_700_000_000_000) };
  assert.equal(written(d), viaMsgpackr(d));
});

test('flow records: the same bytes as msgpackr, also when the buffer has to grow', () => {
  for (const r of records(40)) {
    assert.equal(written(r), viaMsgpackr(r));
    assert.equal(written(r, 1), viaMsgpackr(r));
  }
});

test('reset() starts over, gives a very large buffer back, and bytes() is a copy that later writes do not change', () => {
  const w = new MsgpackWriter(fallback, 4);
  w.value('first value, longer than the buffer');
  const first = w.bytes();
  w.reset();
  w.value(1);
  assert.equal(w.bytes().toString('hex'), '01');
  assert.equal(new Unpackr().unpack(first), 'first value, longer than the buffer');
  w.value('y'.repeat(17 * 1024 * 1024));
  assert.ok(w.buf.length > 16 * 1024 * 1024);
  w.reset();
  assert.equal(w.buf.length, 4, 'a buffer grown beyond 16 MiB is given back');
});
