import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
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
