/**
 * Classic pcap reader: byte orders, nanosecond files, link-type field, old
 * versions' swapped lengths, caplen limits, and the committed fixtures
 * checked against tshark's reading of them (the *.tsv files).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCaptureInput } from '../../src/capture/file-source';
import { PcapParser } from '../../src/capture/pcap';
import { bytes, Collector, drain, FIXTURES, isCaptureError, parseTshark, pcapFile, pcapHeader, pcapRecord, readFile, readStream } from './helpers';

const recs = [
  { sec: 1700000000, frac: 1, data: bytes(60, 1) },
  { sec: 1700000001, frac: 999999, data: bytes(14, 2), wire: 1514 },
  { sec: 1700000002, frac: 500000, data: bytes(0, 3), wire: 0 },
];

for (const le of [true, false]) {
  test(`pcap ${le ? 'little' : 'big'}-endian microsecond file: frames, link type, lengths, timestamps`, async () => {
    const file = pcapFile({ le, linkType: 113 }, recs);
    const r = await readFile(file);
    assert.equal(r.error, null);
    assert.equal(r.frames.length, 3);
    for (let i = 0; i < 3; i++) {
      const f = r.frames[i];
      assert.equal(f.linkType, 113);
      assert.deepEqual(f.data, recs[i].data);
      assert.equal(f.caplen, recs[i].data.length);
      assert.equal(f.wireLen, recs[i].wire ?? recs[i].data.length);
      assert.equal(f.tsMs, recs[i].sec * 1000 + recs[i].frac / 1000);
    }
    assert.deepEqual(r.stats, { packets: 3, bytes: 60 + 1514 + 0, bytesRead: file.length, files: 1 });
  });

  test(`pcap ${le ? 'little' : 'big'}-endian nanosecond file keeps sub-microsecond time`, async () => {
    const file = pcapFile({ le, nsec: true }, [
      { sec: 1700000000, frac: 123456789, data: bytes(40, 4) },
      { sec: 1700000000, frac: 123457089, data: bytes(40, 5) },
    ]);
    const r = await readStream(file);
    assert.equal(r.error, null);
    assert.equal(r.frames.length, 2);
    assert.ok(Math.abs(r.frames[0].tsMs - 1700000000123.456789) < 1e-3);
    assert.ok(Math.abs(r.frames[1].tsMs - r.frames[0].tsMs - 0.0003) < 1e-4, '300 ns later, within the precision of a double');
  });
}

test('pcap link type is the low 16 bits of the link-type field (FCS bits ignored)', async () => {
  const r = await readStream(pcapFile({ linkType: 0xa0000001 }, [recs[0]]));
  assert.equal(r.error, null);
  assert.equal(r.frames[0].linkType, 1);
});

test('pcap wire length smaller than caplen is raised to caplen', async () => {
  const r = await readStream(pcapFile({}, [{ sec: 1, frac: 0, data: bytes(30, 6), wire: 10 }]));
  assert.equal(r.frames[0].caplen, 30);
  assert.equal(r.frames[0].wireLen, 30);
});

test('pcap versions 2.0-2.2 have caplen and len swapped; 2.3 only when caplen > len', async () => {
  const data = bytes(20, 7);
  const swapped = { sec: 1, frac: 0, data, caplen: 1500, wire: 20 };
  for (const minor of [0, 2, 3]) {
    const r = await readStream(pcapFile({ minor }, [swapped]));
    assert.equal(r.error, null, `minor ${minor}`);
    assert.equal(r.frames[0].caplen, 20);
    assert.equal(r.frames[0].wireLen, 1500);
  }
  const plain = { sec: 1, frac: 0, data, caplen: 20, wire: 1500 };
  const r = await readStream(pcapFile({ minor: 1 }, [plain]));
  assert.ok(isCaptureError(r.error, 'E_INPUT_TRUNCATED'), 'minor 1 always swaps: caplen 1500 runs past the end');
  for (const minor of [3, 4]) {
    const notSwapped = await readStream(pcapFile({ minor }, [plain]));
    assert.equal(notSwapped.frames[0].caplen, 20);
    assert.equal(notSwapped.frames[0].wireLen, 1500);
  }
});

test('pcap of an unsupported version is E_INPUT_FORMAT', async () => {
  const r = await readStream(pcapFile({ major: 3 }, [recs[0]]));
  assert.ok(isCaptureError(r.error, 'E_INPUT_FORMAT'));
  assert.match((r.error as Error).message, /unsupported pcap version 3\.4/);
});

test('pcap caplen above 262144 is corrupt unless the snaplen allows it; earlier frames delivered', async () => {
  const head = pcapFile({ snaplen: 65535 }, [recs[0]]);
  const bad = Buffer.concat([head, pcapRecord({ sec: 2, frac: 0, data: Buffer.alloc(0), caplen: 262145 })]);
  const r = await readFile(bad);
  assert.ok(isCaptureError(r.error, 'E_INPUT_CORRUPT'));
  assert.equal((r.error as { offset: number }).offset, head.length);
  assert.match((r.error as Error).message, new RegExp(`byte offset ${head.length}`));
  assert.equal(r.frames.length, 1);
  assert.equal(r.stats.packets, 1);

  const big = bytes(300000, 8);
  const ok = await readStream(pcapFile({ snaplen: 400000 }, [{ sec: 1, frac: 0, data: big }]), 4096);
  assert.equal(ok.error, null);
  assert.deepEqual(ok.frames[0].data, big);
});

test('pcap parser used directly rejects a bad magic with E_INPUT_FORMAT', () => {
  const p = new PcapParser('x.pcap', { packets: 0, bytes: 0, bytesRead: 0, files: 0 });
  const h = pcapHeader();
  h[0] = 0;
  assert.throws(() => p.parse(h, 0, h.length, 0, new Collector()), (e: unknown) => isCaptureError(e, 'E_INPUT_FORMAT'));
});

for (const name of ['eth-le.pcap', 'eth-nsec.pcap', 'sll.pcap', 'nfs-be.pcap']) {
  test(`fixture ${name} matches tshark`, async () => {
    const expected = parseTshark(readFileSync(join(FIXTURES, `${name}.tsv`), 'utf8'));
    const src = await openCaptureInput(join(FIXTURES, name));
    const r = await drain(src);
    assert.equal(r.error, null);
    assert.equal(r.frames.length, expected.length);
    assert.ok(expected.length > 0);
    for (let i = 0; i < expected.length; i++) {
      assert.equal(r.frames[i].caplen, expected[i].caplen, `frame ${i} caplen`);
      assert.equal(r.frames[i].wireLen, expected[i].len, `frame ${i} len`);
      assert.ok(Math.abs(r.frames[i].tsMs - expected[i].tsMs) < 1e-3, `frame ${i} time ${r.frames[i].tsMs} vs ${expected[i].tsMs}`);
    }
    const lt = name === 'sll.pcap' ? 113 : 1;
    assert.ok(r.frames.every((f) => f.linkType === lt));
    assert.equal(src.stats.files, 1);
  });
}
