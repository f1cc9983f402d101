/**
 * The byte-level JSON pieces against JavaScript's own conversions: integers
 * (String), base64 (Buffer), IPv4 words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LineOutput } from '../../src/export/output';
import { putBase64, putIpv4, putUint } from '../../src/export/json-bytes';

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

test('LineOutput.ensure grows the buffer for a line longer than a chunk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-jb-'));
  const o = new LineOutput(join(dir, 'long'));
  const long = 'z'.repeat(1_000_000);
  o.line('short');
  o.line(long);
  await o.close();
  assert.equal(readFileSync(join(dir, 'long'), 'utf8'), `short\n${long}\n`);
});
