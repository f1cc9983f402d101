/**
 * The DPI text fields of a record (writeDpiMeta): valid JSON whatever the
 * strings hold, arrays written in one step or element by element with the
 * same bytes, lone surrogates replaced, and values cut to the slot's room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { META_ROOM, writeDpiMeta } from '../../src/export/dpi-json';
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
