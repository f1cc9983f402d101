/**
 * looksLikeDga(): machine-made names are flagged and ordinary ones are not,
 * and the in-place path for ASCII names gives the string path's answer on
 * every name (trailing dots, single labels, country codes with short second
 * levels, upper case, IDN prefixes, random mixes), allocation-free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeDga, looksLikeDgaByText, torLikeHost } from '../../../src/dpi/classify/dga';
import { rng } from '../../support/common';
import { collectionsDuring } from '../../support/gc';

test('dga: machine-made registrable labels are flagged, ordinary names are not', () => {
  for (const n of ['x7kq9zt2mwp4rbvn.com', 'www.xkcdqwrtzplmnb7k2v9s.net', 'a.b.xkcdqwrtzplmnb7k2v9s.co.uk', 'XKCDQWRTZPLMNB7K2V9S.ORG.']) {
    assert.equal(looksLikeDga(n), true, n);
  }
  for (const n of ['www.google.com', 'fonts.googleapis.com', 'bbc.co.uk', 'xn--bcher-kva8445foa.example', 'a.b', '', '.', 'localhost',
    'veryordinarydomainname.example.com', 'www.wikipedia.org']) {
    assert.equal(looksLikeDga(n), false, n);
  }
});

test('dga: the ASCII path agrees with the string path', () => {
  const fixed = ['', '.', '..', 'a', 'a.', '.a', 'abc..com', 'xkcdqwrtzplmnb7k2v9s', 'xkcdqwrtzplmnb7k2v9s.', '.xkcdqwrtzplmnb7k2v9s.com',
    'xkcdqwrtzplmnb7k2v9s.co.uk', 'xkcdqwrtzplmnb7k2v9s.abc.uk', 'xkcdqwrtzplmnb7k2v9s.abcd.uk', 'co.xkcdqwrtzplmnb7k2v9s.uk',
    'XN--XKCDQWRTZPLMNB7K2V9S.com', 'Xn--xkcdqwrtzplmnb7k2v9s.com', 'XKCDQWRTZPLMNB7K2V9S.COM', 'a.xkcdqwrtzplmnb7k2v9s.x.y', 'xkcdqwrtzplmnb7k2v9s.c.uk',
    'bcdfghjklmnpqrst.de', '1234567890123.com', 'a1b2c3d4e5f6g7h8.net', 'q-x-z-8-k-f-j-3.com', 'xkcdqwrtzplmnb7k2v9s..'];
  for (const n of fixed) assert.equal(looksLikeDga(n), looksLikeDgaByText(n), JSON.stringify(n));
  const next = rng(7);
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._'.split('');
  const tlds = ['com', 'net', 'uk', 'de', 'co', 'c', ''];
  let flagged = 0;
  for (let round = 0; round < 20000; round++) {
    let s = '';
    const labels = 1 + ((next() * 4) | 0);
    for (let l = 0; l < labels; l++) {
      if (l > 0) s += '.';
      const len = (next() * 24) | 0;
      for (let k = 0; k < len; k++) s += chars[(next() * chars.length) | 0];
    }
    if (next() < 0.5) s += '.' + tlds[(next() * tlds.length) | 0];
    if (next() < 0.1) s += '.';
    const got = looksLikeDga(s);
    assert.equal(got, looksLikeDgaByText(s), JSON.stringify(s));
    if (got) flagged++;
  }
  assert.ok(flagged > 100, `only ${flagged} random names flagged: the comparison would prove little`);
});

test('dga: names beyond ASCII take the string path', () => {
  assert.equal(looksLikeDga('xkcdqwrtzplmnb7k2v9s\u00e9.com'), looksLikeDgaByText('xkcdqwrtzplmnb7k2v9s\u00e9.com'));
  assert.equal(looksLikeDga('\u0130xkcdqwrtzplmnb7k2v9s.com'), looksLikeDgaByText('\u0130xkcdqwrtzplmnb7k2v9s.com'));
});

test('dga: torLikeHost', () => {
  assert.equal(torLikeHost('www.a1b2c3d4e5.com'), true);
  assert.equal(torLikeHost('www.abcdefgh.com'), false);
  assert.equal(torLikeHost('www.a1b2c3d4e5.org'), false);
});


test('dga: ASCII names are examined without allocating', async () => {
  const names = ['www.xkcdqwrtzplmnb7k2v9s.net', 'fonts.googleapis.com', 'a.b.xkcdqwrtzplmnb7k2v9s.co.uk', 'XKCDQWRTZPLMNB7K2V9S.ORG.', 'localhost'];
  let hits = 0;
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) if (looksLikeDga(names[i % names.length])) hits++;
  };
  const gcs = await collectionsDuring(loop, 200_000, 500_000);
  assert.equal(gcs, 0, `${gcs} garbage collections during 500,000 names`);
  assert.equal(hits, 700_000 * 3 / 5);
});
