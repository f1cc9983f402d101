import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/spotify';

const only = [dissector];
const DISCOVERY = hex(`
  # android.pcap frame 27 (44 bytes)
  53 70 6f 74 55 64 70 30 dc 15 74 28 2e 52 62 4c 00 01 00 04 48 95 c2 03 a2 41 de 20 89 b9 78 d8
  20 56 4b d5 0c 91 c0 e8 a3 e6 0a 78
`);

test('spotify: the "SpotUdp0" LAN discovery broadcast is Spotify', () => {
  const r = dissect({ l4: 'udp', serverPort: 57621, clientPort: 57621, server: '192.168.2.255', dissectors: only }, [{ payload: DISCOVERY }]);
  assert.equal(r.name, 'Spotify');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('spotify: near miss: another magic on port 57621 is not Spotify', () => {
  const other = Buffer.from(DISCOVERY);
  other.write('SpotTcp0', 0, 'latin1');
  const r = dissect({ l4: 'udp', serverPort: 57621, dissectors: only }, [{ payload: other }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('spotify: every truncation is handled without throwing', () => {
  for (const b of prefixes(DISCOVERY)) {
    const r = dissect({ l4: 'udp', serverPort: 57621, dissectors: only }, [{ payload: b }]);
    if (b.length < 8) assert.notEqual(r.confidence, 'dpi');
  }
});
