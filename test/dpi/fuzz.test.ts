/**
 * Time-bounded fuzzing of the whole dissector registry with mutated real
 * payloads: the first payloads of flows in nDPI's corpus captures are
 * collected with flowtap's own reader and decoder, then mutated (bit flips,
 * byte overwrites with boundary values, truncation, duplication, insertion)
 * and fed as flows of a few packets on their original ports and on random
 * ones. Nothing may throw. FUZZ_MS sets the time budget (default 8 s); the
 * seed is printed so a failure can be replayed with FUZZ_SEED.
 * Without the corpus beside the repository the test is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openCaptureInput } from '../../src/capture/file-source';
import { Decoder } from '../../src/decode/decoder';
import { DecodeResult } from '../../src/decode/packet';
import type { PacketHandler } from '../../src/capture/source';
import { dissect, TestPacket } from './harness';
import { rng } from '../support/common';

const corpus = resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'ndpi', 'pcap');

interface Sample {
  l4: 'tcp' | 'udp';
  port: number;
  payload: Buffer;
}

async function collect(files: string[], max: number): Promise<Sample[]> {
  const out: Sample[] = [];
  const seen = new Map<string, number>();
  for (const file of files) {
    const dec = new Decoder();
    const handler: PacketHandler = {
      onPacket(linkType, buf, off, caplen, wireLen, tsMs) {
        if (out.length >= max) return;
        if (dec.decode(linkType, buf, off, caplen, wireLen, tsMs) !== DecodeResult.Ok) return;
        const p = dec.pkt;
        if ((p.proto !== 6 && p.proto !== 17) || p.payloadLen === 0) return;
        const key = `${p.proto}:${Math.min(p.srcPort, p.dstPort)}:${Math.max(p.srcPort, p.dstPort)}`;
        const n = seen.get(key) ?? 0;
        if (n >= 3) return;
        seen.set(key, n + 1);
        out.push({ l4: p.proto === 6 ? 'tcp' : 'udp', port: Math.min(p.srcPort, p.dstPort), payload: Buffer.from(p.buf.subarray(p.payloadOff, p.payloadOff + Math.min(p.payloadLen, 1500))) });
      },
    };
    try {
      await (await openCaptureInput(file)).run(handler);
    } catch {
      // Damaged captures in the corpus: their readable packets are enough.
    }
    if (out.length >= max) break;
  }
  return out;
}

const BOUNDARY = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20];

function mutate(next: () => number, b: Buffer): Buffer {
  let m = Buffer.from(b);
  const ops = 1 + ((next() * 4) | 0);
  for (let k = 0; k < ops && m.length > 0; k++) {
    const i = (next() * m.length) | 0;
    switch ((next() * 6) | 0) {
      case 0: m[i] ^= 1 << ((next() * 8) | 0); break;
      case 1: m[i] = BOUNDARY[(next() * BOUNDARY.length) | 0]; break;
      case 2: m = m.subarray(0, i); break;
      case 3: m = Buffer.concat([m.subarray(0, i), m.subarray(i, Math.min(m.length, i + 16)), m.subarray(i)]); break;
      case 4: m = Buffer.concat([m.subarray(0, i), Buffer.from([(next() * 256) | 0]), m.subarray(i)]); break;
      default: if (i + 4 <= m.length) m.writeUInt32BE((next() * 0xffffffff) >>> 0, i); break;
    }
  }
  return m.length > 0 ? m : Buffer.from([0]);
}

test('fuzz: mutated corpus payloads never make a dissector throw', { timeout: 120_000, skip: existsSync(corpus) ? false : `no corpus at ${corpus}` }, async () => {
  const files = readdirSync(corpus).sort().map((f) => join(corpus, f));
  const samples = await collect(files, 3000);
  assert.ok(samples.length > 500, `collected ${samples.length} payloads`);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const budgetMs = Number(process.env.FUZZ_MS ?? 8000);
  const next = rng(seed);
  const until = Date.now() + budgetMs;
  let flows = 0;
  while (Date.now() < until) {
    const s = samples[(next() * samples.length) | 0];
    const pkts: TestPacket[] = [];
    const n = 1 + ((next() * 4) | 0);
    for (let i = 0; i < n; i++) {
      const other = samples[(next() * samples.length) | 0];
      const src = i === 0 || next() < 0.6 ? s : other;
      pkts.push({ dir: i === 0 ? 0 : next() < 0.5 ? 0 : 1, payload: mutate(next, src.payload) });
    }
    const serverPort = next() < 0.7 ? s.port : 1 + ((next() * 65535) | 0);
    try {
      dissect({ l4: s.l4, serverPort }, pkts);
    } catch (err) {
      assert.fail(`seed ${seed}: ${(err as Error).stack}\npayloads: ${pkts.map((p) => Buffer.from(p.payload as Uint8Array).toString('hex')).join(' ')}`);
    }
    flows++;
  }
  process.stdout.write(`# fuzz: ${flows} mutated flows from ${samples.length} corpus payloads, seed ${seed}\n`);
});
