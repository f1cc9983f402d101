/**
 * Stopping a capture input (the CLI's SIGINT/SIGTERM): with an AbortSignal,
 * run() resolves right after the chunk being parsed when the signal is
 * aborted (no truncation error, the input is closed), a playlist or list of
 * inputs opens no further member, and a stream that is waiting for data is
 * left at once.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { openCaptureInput, openCaptureInputs, openCaptureStream } from '../../src/capture/file-source';
import type { PacketHandler } from '../../src/capture/source';
import { ethIpv4, udp } from '../cli/helpers';
import { pcapFile, PcapRecord, writeTemp } from './helpers';

function capture(n: number): Buffer {
  const recs: PcapRecord[] = [];
  for (let i = 0; i < n; i++) recs.push({ sec: 1_700_000_000 + i, frac: 0, data: ethIpv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, data: udp(1000 + i, 53) }) });
  return pcapFile({}, recs);
}

/** Counts packets and aborts once `after` were seen. */
function stopper(ac: AbortController, after: number): PacketHandler & { n: number } {
  return {
    n: 0,
    onPacket(): void {
      if (++this.n === after) ac.abort();
    },
  };
}

test('an aborted file read ends after the current chunk, without an error', async () => {
  const file = writeTemp(capture(1000), 'stop.pcap');
  const ac = new AbortController();
  const h = stopper(ac, 10);
  const src = await openCaptureInput(file, { signal: ac.signal, chunkSize: 4096 });
  await src.run(h);
  assert.ok(h.n >= 10 && h.n < 1000, `${h.n} packets`);
  assert.ok(src.stats.bytesRead <= 4096 * 2, `${src.stats.bytesRead} bytes read`);
});

test('without an abort the signal changes nothing', async () => {
  const file = writeTemp(capture(300), 'all.pcap');
  const h = stopper(new AbortController(), -1);
  await (await openCaptureInput(file, { signal: new AbortController().signal, chunkSize: 4096 })).run(h);
  assert.equal(h.n, 300);
});

test('a list of inputs opens no further input once aborted', async () => {
  const a = writeTemp(capture(50), 'a.pcap');
  const ac = new AbortController();
  const h = stopper(ac, 50);
  const src = await openCaptureInputs([a, a], { signal: ac.signal });
  await src.run(h);
  assert.equal(h.n, 50);
  assert.equal(src.stats.files, 1);
});

test('a stream waiting for data is left as soon as the signal is aborted', async () => {
  const stream = new PassThrough();
  stream.write(capture(20));
  const ac = new AbortController();
  let seen!: () => void;
  const all = new Promise<void>((resolve) => (seen = resolve));
  const h = {
    n: 0,
    onPacket(): void {
      if (++this.n === 20) seen();
    },
  };
  const src = await openCaptureStream('pipe', stream, { signal: ac.signal });
  const done = src.run(h);
  // Every packet was read and the stream stays open: only the abort can end the read.
  await all;
  setImmediate(() => ac.abort());
  await done;
  assert.equal(h.n, 20);
});
