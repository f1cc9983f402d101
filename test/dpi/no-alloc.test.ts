/**
 * The per-packet path with DPI on allocates nothing once flows exist: 200,000
 * frames of flows that are being or have been dissected (SSH on a
 * non-standard port, an unidentifiable UDP flow, ICMP) go through the whole
 * Probe (decode, flow table, DPI engine) without a single garbage collection.
 * Per-flow DPI state is created when a flow starts, outside the measured loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Probe } from '../../src/probe';
import { eth, ipv4, tcp, udp, seqBytes } from '../decode/frames';
import { collectionsDuring } from '../support/gc';


const C = '192.0.2.10';
const S = '198.51.100.20';

test('probe-with-dpi-allocates-nothing-per-packet-for-existing-flows', async () => {
  let records = 0;
  const probe = new Probe({ writeFlow: () => { records++; }, close: async () => undefined });
  const frame = (src: string, dst: string, l4: Buffer, proto = 6): Buffer => eth(0x0800, ipv4({ src, dst, proto }, l4));
  let cseq = 1000;
  let sseq = 9000;
  const c2s = (payload: Buffer | string): Buffer => {
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const f = frame(C, S, tcp({ sport: 40001, dport: 10022, seq: cseq, flags: 0x18 }, p));
    cseq += p.length;
    return f;
  };
  const s2c = (payload: Buffer | string): Buffer => {
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const f = frame(S, C, tcp({ sport: 10022, dport: 40001, seq: sseq, flags: 0x18 }, p));
    sseq += p.length;
    return f;
  };
  const setup = [c2s('SSH-2.0-OpenSSH_9.2\r\n'), s2c('SSH-2.0-OpenSSH_9.2\r\n')];
  for (let i = 0; i < 50; i++) setup.push(i % 2 ? c2s(seqBytes(200, i)) : s2c(seqBytes(120, i)));
  const udpFrames = Array.from({ length: 30 }, (_, i) => frame(C, S, udp(40002, 40003, seqBytes(100, i * 7)), 17));
  const icmp = frame(C, S, Buffer.from([8, 0, 0, 0, 0, 1, 0, 1, 1, 2, 3, 4]), 1);
  const t0 = 1_700_000_000_000;
  for (const f of [...setup, ...udpFrames, icmp]) probe.onPacket(1, f, 0, f.length, f.length, t0);
  const loopFrames = [setup[setup.length - 1], setup[setup.length - 2], udpFrames[29], icmp];
  const lens = loopFrames.map((f) => f.length);
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const k = i & 3;
      probe.onPacket(1, loopFrames[k], 0, lens[k], lens[k], t0);
    }
  };
  const gcs = await collectionsDuring(loop, 20_000, 200_000);
  assert.equal(gcs, 0, `${gcs} garbage collections during 200,000 packets`);
  probe.finish();
  assert.equal(records, 3);
});
