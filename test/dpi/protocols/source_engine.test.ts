import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/source_engine';

const only = [dissector];
const INFO_REQUEST = hex(`
  # source_engine.pcap frame 16 (25 bytes)
  ff ff ff ff 54 53 6f 75 72 63 65 20 45 6e 67 69 6e 65 20 51 75 65 72 79 00
`);

/** A2S_INFO response per the Valve wiki: header, 'I', protocol, name, map, folder, game, app id, ... */
function infoResponse(): Buffer {
  return Buffer.concat([
    hex('ff ff ff ff 49 11'),
    Buffer.from('My Server\0de_dust2\0csgo\0Counter-Strike: Global Offensive\0', 'latin1'),
    hex('da 02 05 10 00 64 6c 00 00'),
    Buffer.from('1.38.0.1\0', 'latin1'),
  ]);
}

test('source_engine: the A2S_INFO request is Source_Engine', () => {
  const r = dissect({ l4: 'udp', serverPort: 27015, clientPort: 21285, dissectors: only }, [{ payload: INFO_REQUEST }]);
  assert.equal(r.name, 'Source_Engine');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('source_engine: challenge and A2S_INFO responses are recognised on any port', () => {
  for (const p of [hex('ff ff ff ff 41 0a 08 5e ea'), infoResponse(), hex('ff ff ff ff 55 ff ff ff ff')]) {
    const r = dissect({ l4: 'udp', serverPort: 27016, dissectors: only }, [{ dir: 1, payload: p }]);
    assert.equal(r.name, 'Source_Engine');
  }
});

test('source_engine: near miss: a Half-Life 2 handshake or a misspelt query on 27015 is not Source_Engine', () => {
  const hl2 = hex('ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 30 30 30 00');
  const misspelt = Buffer.from(INFO_REQUEST);
  misspelt[6] = 0x41;
  for (const p of [hl2, misspelt, hex('ff ff ff ff 49 11 00')]) {
    const r = dissect({ l4: 'udp', serverPort: 27015, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('source_engine: every truncation of a request and a response is handled; cut ones are not recognised', () => {
  for (const full of [INFO_REQUEST, infoResponse()]) {
    for (const b of prefixes(full)) {
      const r = dissect({ l4: 'udp', serverPort: 27015, dissectors: only }, [{ payload: b }]);
      if (full === INFO_REQUEST && b.length < full.length) assert.notEqual(r.confidence, 'dpi');
    }
  }
});
