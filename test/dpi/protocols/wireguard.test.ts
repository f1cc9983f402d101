import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as wireguard } from '../../../src/dpi/protocols/wireguard';

const only = [wireguard];
// protonvpn.pcap frames 27/28: handshake initiation (148 bytes) and the response naming its sender index.
const INIT = hex(`
010000009043164c7143e5ba10e783aec166579f5c8fa1cd28f0554608b81a9ad9882e66f1467a22af964d6b385248b6
181a49d4540b6e51ab5cca509583663c2f23e1436faa2fb3a3c6c95442c238a6f3b07f86a699a9bdbac2935e837cf3d2
1be73abc51601750d045a0b3399b5e2986642cde8cec325b5b34e7f29a7aab7afbcb4b38000000000000000000000000
00000000`);
const RESP = hex(`
020000005a80d24e9043164c27d4579c4f98e5ca8e27b562126f1f21edf3384f61313504204de9bc944d0a09e0c3ce96
5a040f33e1875baf36a5d12cfe35dee632a4a51a7a698dbb30eba38a00000000000000000000000000000000`);

function data(counter: number): Buffer {
  const b = Buffer.alloc(96, 0x42);
  b.writeUInt32BE(0x04000000, 0);
  b.writeUInt32LE(0x79497615, 4);
  b.writeUInt32LE(counter, 8);
  b.writeUInt32LE(0, 12);
  return b;
}

/**
 * Calls the dissector directly over one flow's payloads, without the engine
 * (whose construction dominates a truncation loop): the label detected last,
 * or 0. Stops at Done/Exclude or the dissector's budget, as the engine does.
 */
function direct(d: Dissector, l4: 'tcp' | 'udp', pkts: readonly { dir?: 0 | 1; payload: Buffer }[], serverPort = 5000): number {
  const fd = new FlowDpi(1);
  const cur = new Cursor();
  const addr = Int32Array.from([0xc000020a, 0, 0, 0, 0xc6336414 | 0, 0, 0, 0]);
  const seen = [0, 0];
  let label = 0;
  let state: unknown;
  for (let i = 0; i < pkts.length && i < d.budget; i++) {
    const dir = pkts[i].dir ?? 0;
    const b = pkts[i].payload;
    seen[dir]++;
    const ctx = {
      buf: b, off: 0, len: b.length, cur: cur.reset(b, 0, b.length), dir, l4: l4 === 'tcp' ? 6 : 17,
      srcPort: dir === 0 ? 40000 : serverPort, dstPort: dir === 0 ? serverPort : 40000, clientPort: 40000, serverPort,
      dirIndex: seen[dir] - 1, flowIndex: i, c2sPackets: seen[0], s2cPackets: seen[1], tsMs: 1_700_000_000_000 + i,
      ipVersion: 4, srcAddr: addr, srcAddrOff: dir === 0 ? 0 : 4, dstAddr: addr, dstAddrOff: dir === 0 ? 4 : 0, flow: fd, state,
      detect(app: number): void { label = app; },
      set(f: string, v: unknown): void { (fd.meta as Record<string, unknown>)[f] = v; },
      risk(): void {},
    };
    const v = d.dissect(ctx as unknown as DissectContext);
    state = ctx.state;
    if (v === Verdict.Done || v === Verdict.Exclude) break;
  }
  return label;
}

test('wireguard: an initiation answered by its response is WireGuard', () => {
  const r = dissect({ l4: 'udp', serverPort: 443, dissectors: only }, [{ payload: INIT }, { dir: 1, payload: RESP }]);
  assert.equal(r.name, 'WireGuard');
  assert.equal(r.confidence, 'dpi');
});

test('wireguard: transport data with one receiver index and growing counters is WireGuard', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 5060, dissectors: only }, [{ payload: data(0x13) }, { payload: data(0x14) }]).name, 'WireGuard');
});

test('wireguard: near miss: a response for another index, non-zero reserved bytes, frozen counters', () => {
  const resp = Buffer.from(RESP);
  resp[8] ^= 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 51820, dissectors: only }, [{ payload: INIT }, { dir: 1, payload: resp }]).confidence, 'dpi');
  const init = Buffer.from(INIT);
  init[2] = 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 51820, dissectors: only }, [{ payload: init }, { dir: 1, payload: RESP }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 51820, dissectors: only }, [{ payload: data(5) }, { payload: data(5) }]).confidence, 'dpi');
});

test('wireguard: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(RESP)) assert.equal(direct(wireguard, 'udp', [{ payload: INIT }, { dir: 1, payload: b }]), b.length === RESP.length ? P.WireGuard : 0);
  for (const b of prefixes(INIT)) assert.equal(direct(wireguard, 'udp', [{ payload: b }, { dir: 1, payload: RESP }]), b.length === INIT.length ? P.WireGuard : 0);
});
