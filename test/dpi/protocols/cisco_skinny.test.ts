import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/cisco_skinny';

const only = [dissector];
const REGISTER = hex(`
  # sccp_hw_conf_register.pcapng frame 4 (136 bytes)
  80 00 00 00 00 00 00 00 01 00 00 00 4e 4f 4e 53 45 43 55 52 45 5f 43 4f 4e 46 00 00 00 00 00 00
  01 00 00 00 ac 12 6e 3a 34 00 00 00 08 00 00 00 00 00 00 00 12 02 01 00 80 00 7f 3a 55 59 81 c0
  00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00 00 66 16 f9 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);
const MULTI = hex(`
  # skinny.pcap frame 9 (212 bytes)
  14 00 00 00 14 00 00 00 44 01 00 00 0a 00 00 00 05 00 00 00 80 17 33 32 31 00 00 00 7c 00 00 00
  14 00 00 00 4a 01 00 00 01 00 00 00 4b 36 2e 01 01 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00
  00 00 00 00 00 00 00 00 33 32 31 00 33 32 31 00 33 30 37 00 33 30 37 00 33 30 37 00 00 00 00 00
  52 49 58 20 4d 65 65 74 69 6e 67 20 52 6f 6f 6d 00 45 72 76 69 6e 73 20 47 61 69 6c 69 73 73 00
  45 72 76 69 6e 73 20 47 61 69 6c 69 73 73 00 45 72 76 69 6e 73 20 47 61 69 6c 69 73 73 00 00 00
  10 00 00 00 14 00 00 00 86 00 00 00 09 00 00 00 01 00 00 00 05 00 00 00 14 00 00 00 14 00 00 00
  85 00 00 00 02 00 00 00 01 00 00 00 01 00 00 00 4b 36 2e 01
`);

test('cisco_skinny: a station Register message is CiscoSkinny', () => {
  const r = dissect({ serverPort: 2000, clientPort: 46461, dissectors: only }, [{ payload: REGISTER }]);
  assert.equal(r.name, 'CiscoSkinny');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cisco_skinny: a segment carrying several messages is CiscoSkinny', () => {
  const r = dissect({ serverPort: 51532, clientPort: 2000, dissectors: only }, [{ payload: MULTI }]);
  assert.equal(r.name, 'CiscoSkinny');
});

test('cisco_skinny: near miss: HTTP on port 2000, or a message with an unknown header version, is not CiscoSkinny', () => {
  const badVersion = Buffer.from(REGISTER);
  badVersion[4] = 0x13;
  for (const p of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), badVersion]) {
    const r = dissect({ serverPort: 2000, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('cisco_skinny: every truncation is handled; a cut first message is not recognised', () => {
  for (const b of prefixes(REGISTER)) {
    const r = dissect({ serverPort: 2000, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === REGISTER.length);
  }
});
