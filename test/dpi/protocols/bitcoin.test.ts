import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as bitcoin } from '../../../src/dpi/protocols/bitcoin';

const only = [bitcoin];
// bitcoin.pcap frame 51: "version" message.
const VERSION = hex(`
f9beb4d976657273696f6e000000000055000000017d00000100000000000000bfb1904d000000000100000000000000
00000000000000000000ffff4a59b5e5208d010000000000000000000000000000000000ffff2660841e208daabbe3e4
df76ab5d00bdbe0100`);


test('bitcoin: a version message is BITCOIN on any port', () => {
  const r = dissect({ serverPort: 18080, dissectors: only }, [{ payload: VERSION }]);
  assert.equal(r.name, 'BITCOIN');
  assert.equal(r.confidence, 'dpi');
});

test('bitcoin: near miss: another magic, a command with junk after its padding', () => {
  const magic = Buffer.from(VERSION);
  magic[0] = 0xf8;
  assert.notEqual(dissect({ serverPort: 8333, dissectors: only }, [{ payload: magic }]).confidence, 'dpi');
  const cmd = Buffer.from(VERSION);
  cmd[14] = 0x41;
  assert.notEqual(dissect({ serverPort: 8333, dissectors: only }, [{ payload: cmd }]).confidence, 'dpi');
});

test('bitcoin: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(VERSION)) assert.equal(direct(bitcoin, 'tcp', [{ payload: b }]), b.length >= 24 ? P.BITCOIN : 0);
});
