/**
 * pcapng reader: interfaces with their own link types and timestamp
 * resolutions/offsets, byte order per section, SPB and the obsolete PB,
 * skipped block types, and every structural check (block lengths, interface
 * ids, byte-order magic, captured length), plus the committed two-interface
 * fixture (plain and gzip) checked against tshark.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCaptureInput } from '../../src/capture/file-source';
import {
  block,
  bytes,
  drain,
  epb,
  FIXTURES,
  idb,
  isCaptureError,
  option,
  parseTshark,
  pb,
  readFile,
  readStream,
  shb,
  spb,
} from './helpers';

const T0 = 1700000000n;

function offsetOf(err: unknown): number {
  return (err as { offset: number }).offset;
}

for (const le of [true, false]) {
  const order = le ? 'little' : 'big';

  test(`pcapng ${order}-endian: two interfaces with different link types and if_tsresol`, async () => {
    const d0 = bytes(60, 1);
    const d1 = bytes(33, 2);
    const file = Buffer.concat([
      shb(le),
      idb(le, 1, { snaplen: 262144 }),
      idb(le, 101, { tsresol: 9, snaplen: 65535 }),
      idb(le, 113, { tsresol: 0x80 | 10, tsoffset: 1000n }),
      epb(le, 0, T0 * 1000000n + 250n, d0, { wire: 1514 }),
      epb(le, 1, T0 * 1000000000n + 123456789n, d1),
      epb(le, 2, 5n * 1024n + 512n, d1),
    ]);
    const r = await readFile(file);
    assert.equal(r.error, null);
    assert.equal(r.frames.length, 3);
    assert.deepEqual(r.frames.map((f) => f.linkType), [1, 101, 113]);
    assert.deepEqual(r.frames[0].data, d0);
    assert.equal(r.frames[0].wireLen, 1514);
    assert.equal(r.frames[0].tsMs, 1700000000000.25);
    assert.ok(Math.abs(r.frames[1].tsMs - 1700000000123.456789) < 1e-3);
    assert.equal(r.frames[2].tsMs, (1000 + 5.5) * 1000, 'binary resolution 2^-10 plus if_tsoffset 1000 s');
    assert.deepEqual(r.stats, { packets: 3, bytes: 1514 + 33 + 33, bytesRead: file.length, files: 1 });
  });

  test(`pcapng ${order}-endian: SPB takes interface 0, min(original, snaplen, body) and the previous time`, async () => {
    const d = bytes(100, 3);
    const file = Buffer.concat([
      shb(le),
      idb(le, 1, { snaplen: 64 }),
      epb(le, 0, T0 * 1000000n, bytes(10, 4)),
      spb(le, d, 1500),
      spb(le, d.subarray(0, 48), 1500),
      spb(le, d.subarray(0, 7), 7),
    ]);
    const r = await readStream(file);
    assert.equal(r.error, null);
    assert.deepEqual(r.frames.map((f) => f.caplen), [10, 64, 48, 7]);
    assert.deepEqual(r.frames.map((f) => f.wireLen), [10, 1500, 1500, 7]);
    assert.deepEqual(r.frames[1].data, d.subarray(0, 64));
    assert.deepEqual(r.frames[3].data, d.subarray(0, 7));
    assert.ok(r.frames.every((f) => f.tsMs === 1700000000000));
  });

  test(`pcapng ${order}-endian: obsolete Packet Block and unknown blocks`, async () => {
    const d = bytes(20, 5);
    const file = Buffer.concat([
      shb(le),
      block(le, 0x40000bad, bytes(13, 6)),
      idb(le, 1),
      block(le, 4, Buffer.alloc(8)),
      pb(le, 0, T0 * 1000000n + 1000n, d),
      block(le, 5, Buffer.alloc(20)),
      block(le, 10, bytes(9, 7)),
      block(le, 0x12345678, Buffer.alloc(0)),
      epb(le, 0, T0 * 1000000n + 2000n, d, { options: Buffer.concat([option(le, 1, Buffer.from('hi')), Buffer.alloc(4)]) }),
    ]);
    const r = await readStream(file, 7);
    assert.equal(r.error, null);
    assert.deepEqual(r.frames.map((f) => f.tsMs), [1700000000001, 1700000000002]);
    assert.ok(r.frames.every((f) => f.data.equals(d)));
  });
}

test('pcapng: a new section switches byte order and resets the interface list', async () => {
  const d = bytes(16, 8);
  const first = Buffer.concat([shb(true), idb(true, 1), idb(true, 113), epb(true, 1, 1000n, d)]);
  const second = Buffer.concat([shb(false), idb(false, 101), epb(false, 0, 2000n, d)]);
  const good = await readStream(Buffer.concat([first, second]));
  assert.equal(good.error, null);
  assert.deepEqual(good.frames.map((f) => f.linkType), [113, 101]);
  assert.deepEqual(good.frames.map((f) => f.tsMs), [1, 2]);

  const bad = await readStream(Buffer.concat([first, second, epb(false, 1, 3000n, d)]));
  assert.ok(isCaptureError(bad.error, 'E_INPUT_CORRUPT'));
  assert.equal(offsetOf(bad.error), first.length + second.length);
  assert.match((bad.error as Error).message, /interface 1/);
  assert.equal(bad.frames.length, 2);
});

test('pcapng: unknown interface id, SPB before any IDB', async () => {
  const head = Buffer.concat([shb(true), idb(true, 1)]);
  const r = await readStream(Buffer.concat([head, epb(true, 1, 0n, bytes(4, 9))]));
  assert.ok(isCaptureError(r.error, 'E_INPUT_CORRUPT'));
  assert.equal(offsetOf(r.error), head.length);
  const s = await readStream(Buffer.concat([shb(true), spb(true, bytes(4, 9))]));
  assert.ok(isCaptureError(s.error, 'E_INPUT_CORRUPT'));
});

test('pcapng: bad block lengths are corrupt at the block offset, after the earlier frames', async () => {
  const head = Buffer.concat([shb(true), idb(true, 1), epb(true, 0, 0n, bytes(8, 10))]);
  const body = Buffer.alloc(8);
  const cases: Array<[string, Buffer]> = [
    ['not a multiple of 4', block(true, 0x99, body, 22)],
    ['shorter than 12', block(true, 0x99, body, 8)],
    ['trailing differs', block(true, 0x99, body, undefined, 24)],
    ['above the maximum', block(true, 0x99, body, 0x7ffffff0)],
    ['EPB shorter than its fields', block(true, 6, Buffer.alloc(12))],
    ['EPB caplen beyond the block', epb(true, 0, 0n, bytes(8, 11), { caplen: 9 })],
    ['IDB option overruns', idb(true, 1, { raw: Buffer.from([9, 0, 200, 0]) })],
  ];
  for (const [what, blk] of cases) {
    const r = await readStream(Buffer.concat([head, blk, epb(true, 0, 0n, bytes(8, 12))]));
    assert.ok(isCaptureError(r.error, 'E_INPUT_CORRUPT'), `${what}: ${String(r.error)}`);
    assert.equal(offsetOf(r.error), head.length, what);
    assert.equal(r.frames.length, 1, what);
  }
});

test('pcapng: captured length above 262144 beyond the snaplen is corrupt', async () => {
  const big = bytes(262148, 13);
  const ok = await readStream(Buffer.concat([shb(true), idb(true, 1, { snaplen: 300000 }), epb(true, 0, 0n, big)]), 65536);
  assert.equal(ok.error, null);
  assert.deepEqual(ok.frames[0].data, big);
  const bad = await readStream(Buffer.concat([shb(true), idb(true, 1, { snaplen: 0 }), epb(true, 0, 0n, big)]), 65536);
  assert.ok(isCaptureError(bad.error, 'E_INPUT_CORRUPT'));
});

test('pcapng: bad byte-order magic, bad SHB length and unsupported version', async () => {
  const r = await readStream(Buffer.concat([shb(true, { bom: 0x11223344 }), idb(true, 1)]));
  assert.ok(isCaptureError(r.error, 'E_INPUT_CORRUPT'));
  assert.equal(offsetOf(r.error), 0);
  assert.match((r.error as Error).message, /byte-order magic/);

  const later = Buffer.concat([shb(true), idb(true, 1)]);
  const r2 = await readStream(Buffer.concat([later, shb(false, { bom: 0x4d3c2b1a + 1 })]));
  assert.ok(isCaptureError(r2.error, 'E_INPUT_CORRUPT'));
  assert.equal(offsetOf(r2.error), later.length);

  const shortShb = shb(true);
  shortShb.writeUInt32LE(24, 4);
  const r3 = await readStream(shortShb);
  assert.ok(isCaptureError(r3.error, 'E_INPUT_CORRUPT'));

  const v2 = await readStream(Buffer.concat([shb(true, { major: 2 }), idb(true, 1)]));
  assert.ok(isCaptureError(v2.error, 'E_INPUT_FORMAT'));
  assert.match((v2.error as Error).message, /version 2\.0/);
});

test('pcapng fixture with two interfaces matches tshark, plain and gzip', async () => {
  const expected = parseTshark(readFileSync(join(FIXTURES, 'two-if.pcapng.tsv'), 'utf8'));
  assert.ok(expected.some((e) => e.ifid === 0) && expected.some((e) => e.ifid === 1));
  for (const name of ['two-if.pcapng', 'two-if.pcapng.gz']) {
    const src = await openCaptureInput(join(FIXTURES, name), { chunkSize: 100 });
    const r = await drain(src);
    assert.equal(r.error, null, name);
    assert.equal(r.frames.length, expected.length, name);
    for (let i = 0; i < expected.length; i++) {
      assert.equal(r.frames[i].linkType, expected[i].ifid === 0 ? 1 : 113, `${name} frame ${i} link type`);
      assert.equal(r.frames[i].caplen, expected[i].caplen);
      assert.equal(r.frames[i].wireLen, expected[i].len);
      assert.ok(Math.abs(r.frames[i].tsMs - expected[i].tsMs) < 1e-3, `${name} frame ${i} time`);
    }
    assert.equal(r.stats.bytesRead, readFileSync(join(FIXTURES, 'two-if.pcapng')).length);
  }
});
