import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as ethereum } from '../../../src/dpi/protocols/ethereum';
import { P } from '../../../src/dpi/generated/protocols';

const only = [ethereum];
// ethereum.pcap frame 955: Node Discovery v4 PING (hash, signature, type 1, RLP list).
const PING = hex(`
07b3dce5996c0d94db52ba9a6a847178bd65ec2adb7317ff04e5c564d19dc99b0ec69981956ebbbbdf8a59ee7d0a45a7
2b0d8622c12710a93cee8c537f799edc1bca72b3100f48d73179415e21e42d588f9f045a395c72c78a1d87b0ff04ef7b
0001dd04cb847f00000182765f82765fc98412dba79f82765f80845e16206105`);

/** An EIP-8 RLPx handshake message: size prefix, ephemeral key (0x04 ...), the rest of the ECIES blob. */
function eip8(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size + 2);
  b.writeUInt16BE(size, 0);
  b[2] = 0x04;
  for (let i = 3; i < b.length; i++) b[i] = (i * 131 + seed) & 0xff;
  return b;
}


test('ethereum: an RLPx EIP-8 auth and ack are ETHEREUM', () => {
  const r = dissect({ serverPort: 30303, dissectors: only }, [{ payload: eip8(413, 1) }, { dir: 1, payload: eip8(492, 2) }]);
  assert.equal(r.name, 'ETHEREUM');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ethereum: a Discovery v4 ping over UDP is ETHEREUM', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 30303, dissectors: only }, [{ payload: PING }]).name, 'ETHEREUM');
});

test('ethereum: near miss: a length-prefixed message without the key marker, or a ping with a bad RLP length', () => {
  const noKey = eip8(413, 1);
  noKey[2] = 0x05;
  assert.notEqual(dissect({ serverPort: 30303, dissectors: only }, [{ payload: noKey }]).confidence, 'dpi');
  const dnsLike = eip8(40, 3); // a short length-prefixed message (DNS over TCP size)
  assert.notEqual(dissect({ serverPort: 30303, dissectors: only }, [{ payload: dnsLike }]).confidence, 'dpi');
  const bad = Buffer.from(PING);
  bad[98] = 0xde; // RLP list length no longer matches the datagram
  assert.notEqual(dissect({ l4: 'udp', serverPort: 30303, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
});

test('ethereum: every truncation of the fixtures is handled without mislabelling', () => {
  const auth = eip8(413, 1);
  for (const b of prefixes(auth)) assert.equal(direct(ethereum, 'tcp', [{ payload: b }]), b.length === auth.length ? P.ETHEREUM : 0);
  for (const b of prefixes(PING)) assert.equal(direct(ethereum, 'udp', [{ payload: b }]), b.length === PING.length ? P.ETHEREUM : 0);
});
