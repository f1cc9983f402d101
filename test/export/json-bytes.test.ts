/**
 * The byte-level JSON pieces against JavaScript's own conversions: integers
 * (String), base64 (Buffer), IPv4 words, IPv6 words (ipv6ToString).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LineOutput } from '../../src/export/output';
import { putBase64, putIpv4, putIpv6, putUint } from '../../src/export/json-bytes';
import { ipv6ToString } from '../../src/flow/address';
import { rng } from '../support/common';

function render(write: (buf: Buffer, p: number) => number): string {
  const buf = Buffer.alloc(4096);
  const end = write(buf, 7);
  return buf.toString('utf8', 7, end);
}

test('putUint writes integers up to 2^53 like String()', () => {
  const values = [0, 1, 9, 10, 99, 100, 12345, 0x7fffffff, 0x80000000, 4294967295, 1710408602123, 2 ** 53 - 1];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 52))));
  for (const v of values) assert.equal(render((b, p) => putUint(b, p, v)), String(v));
});

test('putBase64 matches Buffer base64 for every length up to 40', () => {
  for (let len = 0; len <= 40; len++) {
    const b = randomBytes(len);
    assert.equal(render((buf, p) => putBase64(buf, p, b, len)), b.toString('base64'));
  }
});

test('putIpv4 writes the dotted quad of a signed 32-bit word', () => {
  assert.equal(render((b, p) => putIpv4(b, p, (192 << 24) | (0 << 16) | (2 << 8) | 255)), '192.0.2.255');
  assert.equal(render((b, p) => putIpv4(b, p, 0)), '0.0.0.0');
  assert.equal(render((b, p) => putIpv4(b, p, -1)), '255.255.255.255');
});

test('putIpv6 writes what ipv6ToString does: zero runs of every position and length, mapped IPv4, random words', () => {
  const cases: number[][] = [];
  // Every choice of zero groups among the eight (other groups 0x1, 0xabc, 0xffff in turn) covers runs, ties and edges.
  for (let zeros = 0; zeros < 256; zeros++) {
    const fill = [0x1, 0xabc, 0xffff][zeros % 3];
    cases.push(Array.from({ length: 8 }, (_, i) => ((zeros >> i) & 1 ? 0 : fill)));
  }
  cases.push([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101], [0, 0, 0, 0, 0, 0xffff, 0, 0], [0, 0, 0, 0, 0xffff, 0xffff, 1, 1]);
  const next = rng(0x1b6);
  for (let k = 0; k < 2000; k++) cases.push(Array.from({ length: 8 }, () => (next() < 0.3 ? 0 : Math.floor(next() * 0x10000) >>> (Math.floor(next() * 4) * 4))));
  const a = new Int32Array(12);
  for (const g of cases) {
    for (let w = 0; w < 4; w++) a[3 + w] = (g[w * 2] << 16) | g[w * 2 + 1];
    assert.equal(render((b, p) => putIpv6(b, p, a, 3)), ipv6ToString(a, 3), g.map((x) => x.toString(16)).join(' '));
  }
});

test('LineOutput.ensure grows the buffer for a line longer than a chunk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-jb-'));
  const o = new LineOutput(join(dir, 'long'));
  const long = 'z'.repeat(1_000_000);
  o.line('short');
  o.line(long);
  await o.close();
  assert.equal(readFileSync(join(dir, 'long'), 'utf8'), `short\n${long}\n`);
});
