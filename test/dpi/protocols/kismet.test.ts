import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/kismet';

const only = [dissector];
const BANNER = hex(`
  # kismet.pcap frame 4 (199 bytes, first 80 of 199 bytes)
  2a 4b 49 53 4d 45 54 3a 20 30 2e 30 2e 30 20 31 31 34 34 30 30 34 33 38 31 20 01 4b 69 73 6d 65
  74 01 20 32 30 30 35 30 38 31 35 32 31 31 39 35 32 20 30 20 32 30 30 35 2e 30 38 2e 52 31 20 0a
  2a 50 52 4f 54 4f 43 4f 4c 53 3a 20 4b 49 53 4d
`);

test('kismet: the server banner is Kismet', () => {
  const r = dissect({ serverPort: 2501, clientPort: 34065, dissectors: only }, [{ dir: 1, payload: BANNER }]);
  assert.equal(r.name, 'Kismet');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('kismet: a client command before the banner is tolerated', () => {
  const r = dissect({ serverPort: 2501, dissectors: only }, [{ payload: Buffer.from('!0 ENABLE TIME time\n') }, { dir: 1, payload: BANNER }]);
  assert.equal(r.name, 'Kismet');
});

test('kismet: near miss: another text banner on port 2501 is not Kismet', () => {
  for (const s of ['*TIME: 1144004385\n', '220 ftp.example.com ready\r\n']) {
    const r = dissect({ serverPort: 2501, dissectors: only }, [{ dir: 1, payload: Buffer.from(s) }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('kismet: every truncation of the banner is handled; a cut magic is not recognised', () => {
  for (const b of prefixes(BANNER)) {
    const r = dissect({ serverPort: 2501, dissectors: only }, [{ dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= 9);
  }
});
