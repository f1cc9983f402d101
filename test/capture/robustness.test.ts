/**
 * Robustness of the capture readers: every cut point of small files (the
 * result is exactly the frames before the cut, then success at a record
 * boundary or E_INPUT_TRUNCATED at the incomplete record), every chunk size
 * (records straddling chunks, records larger than the carry buffer), and a
 * time-limited fuzz over random and mutated inputs (only CaptureError).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { openCaptureInput, openCaptureStream } from '../../src/capture/file-source';
import { CaptureError } from '../../src/util/errors';
import {
  block,
  bytes,
  epb,
  FIXTURES,
  type Frame,
  idb,
  isCaptureError,
  option,
  pb,
  pcapFile,
  readFile,
  readStream,
  readWith,
  rng,
  shb,
  spb,
  writeTemp,
} from './helpers';

interface Layout {
  /** Offsets where a record (or the file header / a block) ends. */
  boundaries: number[];
  /** End offsets of the records that carry a frame, in order. */
  frameEnds: number[];
}

/** Record layout of a pcap or pcapng file, worked out independently of the readers. */
function layout(buf: Buffer): Layout {
  const boundaries: number[] = [];
  const frameEnds: number[] = [];
  if (buf.readUInt32LE(0) === 0x0a0d0d0a) {
    let le = true;
    for (let p = 0; p < buf.length; ) {
      const type = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      if (type === 0x0a0d0d0a) le = buf.readUInt32LE(p + 8) === 0x1a2b3c4d;
      const len = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      p += len;
      boundaries.push(p);
      if (type === 2 || type === 3 || type === 6) frameEnds.push(p);
    }
  } else {
    const le = buf[0] !== 0xa1;
    boundaries.push(24);
    for (let p = 24; p < buf.length; ) {
      p += 16 + (le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8));
      boundaries.push(p);
      frameEnds.push(p);
    }
  }
  return { boundaries, frameEnds };
}

function synthetic(): Array<[string, Buffer]> {
  const le = Buffer.concat([
    shb(true),
    block(true, 0x40000bad, bytes(5, 1)),
    idb(true, 1, { snaplen: 96, tsresol: 9 }),
    epb(true, 0, 1700000000123456789n, bytes(61, 2), { options: Buffer.concat([option(true, 1, Buffer.from('c')), Buffer.alloc(4)]) }),
    spb(true, bytes(40, 3), 1000),
    pb(true, 0, 5n, bytes(3, 4)),
    block(true, 5, Buffer.alloc(16)),
  ]);
  const be = Buffer.concat([
    shb(false),
    idb(false, 113, { tsresol: 0x80 | 20, tsoffset: -5n }),
    idb(false, 101),
    epb(false, 1, 1n, bytes(17, 5)),
    epb(false, 0, 3n << 20n, bytes(0, 6)),
  ]);
  const pcapBe = pcapFile({ le: false, nsec: true, linkType: 101 }, [
    { sec: 1, frac: 2, data: bytes(21, 7) },
    { sec: 3, frac: 4, data: bytes(0, 8), wire: 60 },
    { sec: 5, frac: 6, data: bytes(33, 9) },
  ]);
  return [
    ['two sections (LE then BE) with SPB, PB, unknown blocks', Buffer.concat([le, be])],
    ['big-endian nanosecond pcap', pcapBe],
  ];
}

function fixtures(): Array<[string, Buffer]> {
  return ['eth-le.pcap', 'nfs-be.pcap', 'two-if.pcapng'].map((n) => [n, readFileSync(join(FIXTURES, n))] as [string, Buffer]);
}

function sameFrames(actual: Frame[], expected: Frame[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: frame count`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    assert.ok(
      a.data.equals(e.data) && a.linkType === e.linkType && a.caplen === e.caplen && a.wireLen === e.wireLen && a.tsMs === e.tsMs,
      `${what}: frame ${i} differs`,
    );
  }
}

for (const [name, data] of [...fixtures(), ...synthetic()]) {
  test(`cut at every offset: ${name}`, async () => {
    const full = await readStream(data);
    assert.equal(full.error, null);
    const { boundaries, frameEnds } = layout(data);
    assert.equal(full.frames.length, frameEnds.length);
    for (let n = 0; n <= data.length; n++) {
      const cut = data.subarray(0, n);
      const viaFile = n % 7 === 0;
      const r = viaFile ? await readFile(cut, 16 + (n % 200)) : await readStream(cut, [5, 97, 4096][n % 3]);
      const what = `${name} cut at ${n} (${viaFile ? 'file' : 'stream'})`;
      const delivered = frameEnds.filter((e) => e <= n).length;
      if (n === 0) {
        assert.ok(isCaptureError(r.error, 'E_INPUT_FORMAT'), `${what}: ${String(r.error)}`);
      } else if (boundaries.includes(n)) {
        assert.equal(r.error, null, `${what}: ${String(r.error)}`);
      } else {
        assert.ok(isCaptureError(r.error, 'E_INPUT_TRUNCATED'), `${what}: ${String(r.error)}`);
        const start = boundaries.filter((b) => b <= n).pop() ?? 0;
        assert.equal(r.error.offset, start, what);
        assert.match(r.error.message, new RegExp(`at byte offset ${start}$`));
      }
      sameFrames(r.frames, full.frames.slice(0, delivered), what);
      if (n > 0) assert.equal(r.stats.packets, delivered, what);
    }
  });
}

test('every chunk size gives the same frames, through files and streams', async () => {
  for (const [name, data] of [...fixtures(), ...synthetic()]) {
    const ref = await readStream(data);
    assert.equal(ref.error, null);
    const sizes = [...Array.from({ length: 40 }, (_, i) => i + 1), 63, 64, 100, 255, 1000, 4096];
    for (const size of sizes) {
      const s = await readStream(data, size);
      assert.equal(s.error, null, `${name} stream chunk ${size}`);
      sameFrames(s.frames, ref.frames, `${name} stream chunk ${size}`);
      assert.equal(s.stats.bytesRead, data.length);
      const f = await readFile(data, size);
      assert.equal(f.error, null, `${name} file chunk ${size}`);
      sameFrames(f.frames, ref.frames, `${name} file chunk ${size}`);
    }
  }
});

test('records larger than the chunk and the carry buffer are assembled', async () => {
  const sizes = [100, 200000, 50, 70000, 400000, 0, 3];
  const recs = sizes.map((n, i) => ({ sec: i, frac: 0, data: bytes(n, i) }));
  const pcap = pcapFile({ snaplen: 500000 }, recs);
  const ng = Buffer.concat([shb(false), idb(false, 1, { snaplen: 0 }), ...sizes.filter((n) => n <= 262144).map((n, i) => epb(false, 0, BigInt(i), bytes(n, i)))]);
  for (const chunk of [1000, 4096, 65536, 1 << 20]) {
    const a = await readFile(pcap, chunk);
    assert.equal(a.error, null);
    assert.deepEqual(a.frames.map((f) => f.caplen), sizes);
    assert.ok(a.frames.every((f, i) => f.data.equals(recs[i].data)));
    const b = await readStream(ng, chunk);
    assert.equal(b.error, null);
    assert.deepEqual(b.frames.map((f) => f.caplen), [100, 200000, 50, 70000, 0, 3]);
  }
  // Chunks of 150 bytes split the header of the 200000-byte record (at 140..156): the carry grows while holding it.
  const c = await readStream(pcap, 150);
  assert.equal(c.error, null);
  assert.ok(c.frames.every((f, i) => f.data.equals(recs[i].data)));
  assert.equal(c.frames.length, sizes.length);
});

test('fuzz: random and mutated inputs give frames and at most a CaptureError (2 s)', async () => {
  const seed = Number(process.env.FLOWTAP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const seeds = [...fixtures(), ...synthetic()].map(([, d]) => d);
  const prefixes = [
    Buffer.from('d4c3b2a1', 'hex'),
    Buffer.from('a1b2c3d4', 'hex'),
    Buffer.from('4d3cb2a1', 'hex'),
    Buffer.from('a1b23c4d', 'hex'),
    Buffer.concat([shb(true), idb(true, 1)]),
    Buffer.concat([shb(false), idb(false, 1), idb(false, 113)]),
    Buffer.from('1f8b', 'hex'),
  ];
  const deadline = Date.now() + 2000;
  let runs = 0;
  const path = writeTemp(Buffer.alloc(0), 'fuzz.bin');
  while (Date.now() < deadline) {
    let input: Buffer;
    const mode = int(4);
    if (mode === 0) {
      input = bytes(int(600), int(1 << 30));
    } else if (mode === 1) {
      input = Buffer.concat([prefixes[int(prefixes.length)], bytes(int(600), int(1 << 30))]);
    } else if (mode === 2) {
      const types = [1, 2, 3, 6, 5, 0x0a0d0d0a];
      const parts: Buffer[] = [Buffer.concat([shb(true), idb(true, 1, { snaplen: int(2) * 64 })])];
      for (let k = int(6); k > 0; k--) {
        const b = block(true, types[int(types.length)], bytes(int(64), int(1000)));
        if (rand() < 0.3) b.writeUInt32LE(int(80), 4 + (rand() < 0.5 ? 0 : b.length - 8));
        parts.push(b);
      }
      input = Buffer.concat(parts);
    } else {
      input = Buffer.from(seeds[int(seeds.length)]);
      for (let k = 1 + int(8); k > 0 && input.length > 0; k--) input[int(input.length)] = int(256);
      if (rand() < 0.3) input = input.subarray(0, int(input.length + 1));
    }
    const chunk = 1 + int(rand() < 0.5 ? 32 : 4096);
    let r;
    if (runs % 5 === 0) {
      writeTemp(input, 'fuzz.bin');
      r = await readWith(() => openCaptureInput(path, { chunkSize: chunk }));
    } else {
      const parts: Buffer[] = [];
      for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
      r = await readWith(() => openCaptureStream('fuzz', Readable.from(parts), { chunkSize: chunk }));
    }
    if (r.error !== null && !(r.error instanceof CaptureError)) {
      assert.fail(`seed ${seed} run ${runs} (mode ${mode}, chunk ${chunk}, input ${input.toString('hex').slice(0, 400)}): ${String((r.error as Error).stack)}`);
    }
    assert.equal(r.stats.packets, r.frames.length, `seed ${seed} run ${runs}`);
    runs++;
  }
  assert.ok(runs > 100, `only ${runs} fuzz runs in 2 s`);
});
