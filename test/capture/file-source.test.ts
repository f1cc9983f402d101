/**
 * Input detection and opening: by content (pcap, pcapng, gzip, playlist,
 * anything else), standard input (a real child process and an injected
 * stream), named pipes, playlists (comments, relative paths, nesting,
 * missing entries), lists of inputs and chained sources' live stats, and
 * the open/format errors with the file they name.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { chainSources, openCaptureInput, openCaptureInputs, openCaptureStream } from '../../src/capture/file-source';
import type { PacketSource } from '../../src/capture/source';
import { bytes, drain, epb, FIXTURES, idb, isCaptureError, pcapFile, readStream, readWith, scratch, shb, writeTemp } from './helpers';

const fx = (name: string) => join(FIXTURES, name);
const fixture = (name: string) => readFileSync(fx(name));
const count = (name: string) => fixture(`${name}.tsv`).toString().trim().split('\n').length;

async function openError(spec: string): Promise<unknown> {
  try {
    await openCaptureInput(spec);
  } catch (err) {
    return err;
  }
  assert.fail(`opening ${spec} should fail`);
}

test('detection is by content: a pcapng named .pcap and a pcap named .txt are read', async () => {
  const a = await readWith(() => openCaptureInput(writeTemp(fixture('two-if.pcapng'), 'really-pcapng.pcap')));
  assert.equal(a.error, null);
  assert.equal(a.frames.length, count('two-if.pcapng'));
  const b = await readWith(() => openCaptureInput(writeTemp(fixture('eth-le.pcap'), 'capture.txt')));
  assert.equal(b.error, null);
  assert.equal(b.frames.length, count('eth-le.pcap'));
});

test('a missing file is E_INPUT_OPEN naming the file with the OS reason', async () => {
  const missing = join(scratch(), 'no-such.pcap');
  const err = await openError(missing);
  assert.ok(isCaptureError(err, 'E_INPUT_OPEN'));
  assert.equal(err.file, missing);
  assert.match(err.message, /no-such\.pcap/);
  assert.match(err.message, /ENOENT: no such file or directory/);
  const dir = await openError(scratch());
  assert.ok(isCaptureError(dir, 'E_INPUT_OPEN'));
});

test('binary garbage and empty files are E_INPUT_FORMAT naming the file', async () => {
  const junk = writeTemp(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]), 'junk.bin');
  const err = await openError(junk);
  assert.ok(isCaptureError(err, 'E_INPUT_FORMAT'));
  assert.equal(err.file, junk);
  assert.match(err.message, /junk\.bin.*de ad be ef/);
  const empty = await openError(writeTemp(Buffer.alloc(0), 'empty.pcap'));
  assert.ok(isCaptureError(empty, 'E_INPUT_FORMAT'));
  const bigText = await openError(writeTemp('x'.repeat(1024 * 1024 + 1), 'big.txt'));
  assert.ok(isCaptureError(bigText, 'E_INPUT_FORMAT'));
});

test('a file shorter than a magic number that starts like one is E_INPUT_TRUNCATED at 0', async () => {
  for (const head of [[0xd4, 0xc3], [0xa1], [0x1f]]) {
    const err = await openError(writeTemp(Buffer.from(head)));
    assert.ok(isCaptureError(err, 'E_INPUT_TRUNCATED'), String(err));
    assert.equal(err.offset, 0);
  }
});

test('gzip: decompressed and detected again (pcap, pcapng, nested gzip); bytesRead counts decompressed bytes', async () => {
  const plain = fixture('eth-le.pcap');
  for (const data of [gzipSync(plain), gzipSync(gzipSync(plain))]) {
    const r = await readWith(() => openCaptureInput(writeTemp(data, 'x.gz'), { chunkSize: 64 }));
    assert.equal(r.error, null);
    assert.equal(r.frames.length, count('eth-le.pcap'));
    assert.equal(r.stats.bytesRead, plain.length);
  }
});

test('gzip: a truncated stream delivers every frame decodable before the cut, then E_INPUT_TRUNCATED', async () => {
  const recs = Array.from({ length: 2000 }, (_, i) => ({ sec: 1000 + i, frac: 0, data: bytes(200, i) }));
  const gz = gzipSync(pcapFile({}, recs));
  const cut = await readWith(() => openCaptureInput(writeTemp(gz.subarray(0, Math.floor(gz.length * 0.6)), 'cut.gz'), { chunkSize: 4096 }));
  assert.ok(isCaptureError(cut.error, 'E_INPUT_TRUNCATED'), String(cut.error));
  assert.ok(cut.frames.length > 1100 && cut.frames.length < 1300, `${cut.frames.length} frames`);
  assert.ok(cut.frames.every((f, i) => f.data.equals(recs[i].data)));
  const noTrailer = await readWith(() => openCaptureInput(writeTemp(gz.subarray(0, gz.length - 4), 'no-trailer.gz')));
  assert.ok(isCaptureError(noTrailer.error, 'E_INPUT_TRUNCATED'), 'a gzip member without its trailer is truncated');
  assert.equal(noTrailer.frames.length, 2000);
});

test('gzip: a bad checksum is E_INPUT_CORRUPT, with at most the frames before it', async () => {
  const gz = gzipSync(fixture('eth-le.pcap'));
  gz[gz.length - 6] ^= 0xff;
  const r = await readWith(() => openCaptureInput(writeTemp(gz, 'bad-crc.gz')));
  assert.ok(isCaptureError(r.error, 'E_INPUT_CORRUPT'), String(r.error));
  assert.ok(r.frames.length <= count('eth-le.pcap'));
});

function runChild(input: Buffer, spec = '-'): { n: number; caplen: number; code?: string; file?: string; name?: string; files?: number } {
  const mod = join(__dirname, '..', '..', 'src', 'capture', 'file-source.js');
  const script = `
    const { openCaptureInput } = require(${JSON.stringify(mod)});
    let n = 0, caplen = 0;
    const out = (o) => process.stdout.write(JSON.stringify(o));
    openCaptureInput(${JSON.stringify(spec)}).then(
      (s) => s.run({ onPacket(lt, b, o, c) { n++; caplen += c; } }).then(
        () => out({ n, caplen, name: s.name, files: s.stats.files }),
        (e) => out({ n, caplen, code: e.code, file: e.file })),
      (e) => out({ n, caplen, code: e.code, file: e.file }));`;
  const r = spawnSync(process.execPath, ['-e', script], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('standard input ("-") in a child process: pcap, gzip pcapng, garbage', () => {
  const pcap = fixture('eth-le.pcap');
  const a = runChild(pcap);
  assert.equal(a.n, count('eth-le.pcap'));
  assert.equal(a.name, 'stdin');
  assert.equal(a.files, 1);
  const b = runChild(fixture('two-if.pcapng.gz'));
  assert.equal(b.n, count('two-if.pcapng'));
  const c = runChild(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]));
  assert.equal(c.code, 'E_INPUT_FORMAT');
  assert.equal(c.file, '-');
  const d = runChild(pcap.subarray(0, pcap.length - 3));
  assert.equal(d.code, 'E_INPUT_TRUNCATED');
  assert.equal(d.n, count('eth-le.pcap') - 1);
});

test('standard input can be injected, and a playlist read from it resolves against the working directory', async () => {
  const stdin = Readable.from([Buffer.from(`${fx('eth-le.pcap')}\n${fx('sll.pcap')}\n`)]);
  const r = await readWith(() => openCaptureInput('-', { stdin }));
  assert.equal(r.error, null);
  assert.equal(r.frames.length, count('eth-le.pcap') + count('sll.pcap'));
});

test('a named pipe is read as a stream', async (t) => {
  const fifo = join(scratch(), 'pipe.pcap');
  if (spawnSync('mkfifo', [fifo]).status !== 0) {
    t.skip('mkfifo not available');
    return;
  }
  const w = createWriteStream(fifo);
  w.end(fixture('two-if.pcapng'));
  const r = await readWith(() => openCaptureInput(fifo, { chunkSize: 97 }));
  assert.equal(r.error, null);
  assert.equal(r.frames.length, count('two-if.pcapng'));
});

test('playlist: comments and blank lines skipped, paths relative to the playlist, files read in order as one source', async () => {
  const src = await openCaptureInput(fx('playlist.txt'));
  assert.equal(src.name, fx('playlist.txt'));
  const r = await drain(src);
  assert.equal(r.error, null);
  const n1 = count('eth-le.pcap');
  const n2 = count('sll.pcap');
  const n3 = count('two-if.pcapng');
  assert.equal(r.frames.length, n1 + n2 + n3);
  assert.ok(r.frames.slice(0, n1).every((f) => f.linkType === 1));
  assert.ok(r.frames.slice(n1, n1 + n2).every((f) => f.linkType === 113));
  assert.equal(r.stats.files, 3);
  assert.equal(r.stats.packets, n1 + n2 + n3);
  const size = (name: string) => fixture(name).length;
  assert.equal(r.stats.bytesRead, size('eth-le.pcap') + size('sll.pcap') + size('two-if.pcapng'));
});

test('playlist: CRLF lines, nested playlists, gzip entries', async () => {
  const dir = join(scratch(), 'lists');
  mkdirSync(dir, { recursive: true });
  const inner = writeTemp(`# inner\r\n${fx('sll.pcap')}\r\n`, 'lists/inner.txt');
  const outer = writeTemp(`inner.txt\r\n\r\n${fx('two-if.pcapng.gz')}\r\n`, 'lists/outer.lst');
  const r = await readWith(() => openCaptureInput(outer));
  assert.equal(r.error, null, String(r.error));
  assert.equal(r.frames.length, count('sll.pcap') + count('two-if.pcapng'));
  assert.equal(r.stats.files, 2);
  assert.ok(inner.endsWith('inner.txt'));
});

test('playlist: a missing entry is E_INPUT_OPEN naming the entry and the playlist line, before any frame', async () => {
  const list = writeTemp(`${fx('eth-le.pcap')}\n# note\nmissing.pcap\n`, 'with-missing.txt');
  const err = await openError(list);
  assert.ok(isCaptureError(err, 'E_INPUT_OPEN'));
  assert.equal(err.file, join(scratch(), 'missing.pcap'));
  assert.match(err.message, /with-missing\.txt line 3/);
});

test('playlist: only comments, or listing itself, is E_INPUT_FORMAT', async () => {
  const empty = await openError(writeTemp('# nothing here\n\n', 'empty-list.txt'));
  assert.ok(isCaptureError(empty, 'E_INPUT_FORMAT'));
  const self = join(scratch(), 'self.txt');
  writeTemp('self.txt\n', 'self.txt');
  const r = await readWith(() => openCaptureInput(self));
  assert.ok(isCaptureError(r.error, 'E_INPUT_FORMAT'));
  assert.match((r.error as Error).message, /nested/);
});

test('playlist: a non-capture entry fails at its turn, after the earlier files\' frames', async () => {
  const junk = writeTemp(Buffer.from([9, 9, 9, 9, 0, 0]), 'junk-entry.bin');
  const list = writeTemp(`${fx('eth-le.pcap')}\n${junk}\n`, 'with-junk.txt');
  const r = await readWith(() => openCaptureInput(list));
  assert.ok(isCaptureError(r.error, 'E_INPUT_FORMAT'));
  assert.equal((r.error as { file: string }).file, junk);
  assert.equal(r.frames.length, count('eth-le.pcap'));
  assert.equal(r.stats.files, 1);
});

test('openCaptureInputs reads a list in order; a missing later input fails at open', async () => {
  const r = await readWith(() => openCaptureInputs([fx('eth-le.pcap'), fx('two-if.pcapng'), fx('sll.pcap')]));
  assert.equal(r.error, null);
  assert.equal(r.frames.length, count('eth-le.pcap') + count('two-if.pcapng') + count('sll.pcap'));
  assert.equal(r.stats.files, 3);
  const single = await openCaptureInputs([fx('sll.pcap')]);
  assert.equal(single.name, fx('sll.pcap'));
  let err: unknown = null;
  try {
    await openCaptureInputs([fx('eth-le.pcap'), join(scratch(), 'absent.pcap')]);
  } catch (e) {
    err = e;
  }
  assert.ok(isCaptureError(err, 'E_INPUT_OPEN'));
  await assert.rejects(openCaptureInputs([]), /no capture input/);
});

test('chainSources keeps stats live during the run and sums them', async () => {
  const mk = (n: number): Promise<PacketSource> =>
    openCaptureStream(`s${n}`, Readable.from([Buffer.concat([shb(true), idb(true, 1), ...Array.from({ length: n }, (_, i) => epb(true, 0, BigInt(i), bytes(10, i)))])]));
  const chain = chainSources('both', [await mk(3), () => mk(2)]);
  const seen: number[] = [];
  await chain.run({
    onPacket: () => {
      seen.push(chain.stats.packets);
    },
  });
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(chain.stats.packets, 5);
  assert.equal(chain.stats.files, 2);
  assert.equal(chain.stats.bytes, 50);
  await assert.rejects(chain.run({ onPacket() {} }), /twice/);
});

test('a handler that throws stops the run with its own error', async () => {
  const src = await openCaptureInput(fx('eth-le.pcap'));
  let n = 0;
  await assert.rejects(
    src.run({
      onPacket() {
        if (++n === 3) throw new Error('handler failed');
      },
    }),
    /handler failed/,
  );
  assert.equal(n, 3);
  assert.equal(src.stats.packets, 3);
});

test('openCaptureStream reads any async iterable of buffers', async () => {
  const r = await readStream(pcapFile({}, [{ sec: 1, frac: 2, data: bytes(5, 1) }]), 3, 'custom');
  assert.equal(r.error, null);
  assert.equal(r.name, 'custom');
  assert.equal(r.frames[0].tsMs, 1000.002);
});
