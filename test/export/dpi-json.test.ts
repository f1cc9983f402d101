/**
 * The DPI text fields of a record (writeDpiMeta): valid JSON whatever the
 * strings hold, string lists round-trip, lone surrogates replaced, and
 * values cut to the slot's room;
 * putJsonString()'s copy of a plain leading run gives the bytes and the cut
 * of the character-by-character encoding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { META_ROOM, putJsonString, writeDpiMeta } from '../../src/export/dpi-json';
import type { DpiEngine } from '../../src/dpi/engine';
import { rng } from '../support/common';

/** An engine whose flow 0 carries these metadata fields. */
function engineWith(meta: Record<string, string | number | string[]>): DpiEngine {
  const names = Object.keys(meta);
  const fd = { metaNames: names, metaValues: names.map((n) => meta[n]), risks: [], getMeta: (n: string) => meta[n] };
  return { flow: () => fd } as unknown as DpiEngine;
}

function fields(meta: Record<string, string | number | string[]>): Record<string, unknown> {
  const buf = Buffer.alloc(META_ROOM + 16);
  const end = writeDpiMeta(engineWith(meta), 0, buf, 0);
  assert.ok(end <= META_ROOM, `wrote ${end} bytes into a ${META_ROOM}-byte slot`);
  return JSON.parse(`{"x":0${buf.toString('utf8', 0, end)}}`) as Record<string, unknown>;
}

test('string lists with quotes, backslashes, controls and non-ASCII come back as they were', () => {
  const list = ['plain.example.com', 'a"b', 'back\\slash', 'tab\there', 'nl\n', '\u0001\u001f\u007f', 'ünïcödé.de', '😀.example', '\\ud800'];
  assert.deepEqual(fields({ tls_server_names: list }).tls_server_names, list);
});

test('a lone surrogate in a list becomes U+FFFD, as in single strings', () => {
  const r = fields({ tls_server_names: ['a\ud800b', 'ok'], info: 'c\udc00d' });
  assert.deepEqual(r.tls_server_names, ['a\ufffdb', 'ok']);
  assert.equal(r.info, 'c\ufffdd');
});

test('random lists round-trip, and a list too long for the slot is cut but stays valid JSON', () => {
  const next = rng(42);
  const chars = ['a', 'z', '.', '"', '\\', '\n', '\u0000', 'é', '中', '😀', '-'];
  for (let round = 0; round < 200; round++) {
    const list: string[] = [];
    const n = (next() * 40) | 0;
    for (let i = 0; i < n; i++) {
      let s = '';
      const len = (next() * 30) | 0;
      for (let k = 0; k < len; k++) s += chars[(next() * chars.length) | 0];
      list.push(s);
    }
    assert.deepEqual(fields({ tls_server_names: list }).tls_server_names, list);
  }
  const huge = Array.from({ length: 400 }, (_, i) => `host-${i}.some-long-domain-name.example.com`);
  const cut = fields({ tls_server_names: huge }).tls_server_names as string[];
  assert.ok(cut.length > 10 && cut.length < huge.length);
  assert.deepEqual(cut, huge.slice(0, cut.length));
});

/** The character-by-character encoding putJsonString() must match: JSON escapes, UTF-8, lone surrogates as U+FFFD, cut before `limit`. */
function referenceJsonString(buf: Buffer, p: number, s: string, limit: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    let bytes: number[];
    if (c === 0x22 || c === 0x5c) bytes = [0x5c, c];
    else if (c < 0x20) {
      const short: Record<number, number> = { 10: 0x6e, 13: 0x72, 9: 0x74, 8: 0x62, 12: 0x66 };
      bytes = short[c] !== undefined ? [0x5c, short[c]] : [...Buffer.from(`\\u00${c.toString(16).padStart(2, '0')}`, 'latin1')];
      if (p + 6 > limit) return p;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
        i++;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      bytes = [...Buffer.from(String.fromCodePoint(c), 'utf8')];
    }
    if ((c === 0x22 || c === 0x5c) && p + 6 > limit) return p;
    if (p + bytes.length > limit) return p;
    for (const b of bytes) buf[p++] = b;
  }
  return p;
}

test('putJsonString: same bytes and the same cut as character by character, plain runs or not', () => {
  const next = rng(9);
  const chars = ['a', 'Z', '0', '.', '-', ' ', '~', '\u007f', '"', '\\', '\n', '\u0001', 'é', '中', '😀', '\ud800'];
  const got = Buffer.alloc(600);
  const want = Buffer.alloc(600);
  for (let round = 0; round < 3000; round++) {
    let s = '';
    const len = (next() * 200) | 0;
    const plainOnly = next() < 0.4;
    for (let k = 0; k < len; k++) s += plainOnly && next() < 0.98 ? 'abcdefgh.-'[(next() * 10) | 0] : chars[(next() * chars.length) | 0];
    const p = (next() * 8) | 0;
    const limit = p + ((next() * 260) | 0);
    got.fill(0);
    want.fill(0);
    const end = putJsonString(got, p, s, limit);
    assert.equal(end, referenceJsonString(want, p, s, limit), JSON.stringify({ s, p, limit }));
    assert.ok(end <= limit);
    assert.deepEqual(got.subarray(0, end), want.subarray(0, end), JSON.stringify({ s, p, limit }));
  }
});
