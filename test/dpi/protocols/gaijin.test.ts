import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/gaijin';

const only = [dissector];
const CONNECT = hex(`
  # gaijin_warthunder.pcap frame 1 (52 bytes)
  8f ff 00 01 82 ff 00 01 00 00 ff ff 00 00 04 b0 00 01 00 00 00 00 00 ff 00 00 00 00 00 00 00 00
  00 00 13 88 00 00 00 00 00 00 00 00 96 99 0a 44 00 26 00 00
`);
const TELEMETRY = hex(`
  # gaijin_warthunder.pcap frame 6 (119 bytes)
  61 70 70 2e 73 74 61 72 74 2c 65 6e 76 3d 70 72 6f 64 75 63 74 69 6f 6e 2c 63 69 72 63 75 69 74
  3d 70 72 6f 64 75 63 74 69 6f 6e 2c 61 70 70 6c 69 63 61 74 69 6f 6e 3d 63 6c 69 65 6e 74 2c 70
  72 6f 6a 65 63 74 3d 77 61 72 74 68 75 6e 64 65 72 2c 70 6c 61 74 66 6f 72 6d 3d 6c 69 6e 75 78
  36 34 2c 68 6f 73 74 3d 68 6f 73 74 5f 63 6c 69 65 6e 74 3a 31 7c 63
`);

test('gaijin: the game connect packet is GaijinEntertainment', () => {
  const r = dissect({ l4: 'udp', serverPort: 20021, clientPort: 36929, dissectors: only }, [{ payload: CONNECT }]);
  assert.equal(r.name, 'GaijinEntertainment');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('gaijin: tagged StatsD telemetry is GaijinEntertainment', () => {
  const r = dissect({ l4: 'udp', serverPort: 20011, clientPort: 37333, dissectors: only }, [{ payload: TELEMETRY }]);
  assert.equal(r.name, 'GaijinEntertainment');
  const other = Buffer.from('render.driver_init,env=production,circuit=production,project=warthunder,platform=linux64:1|c');
  assert.equal(dissect({ l4: 'udp', serverPort: 8125, dissectors: only }, [{ payload: other }]).name, 'GaijinEntertainment');
});

test('gaijin: near miss: StatsD without Gaijin\'s tags on port 20011 is not GaijinEntertainment', () => {
  for (const s of ['app.start,env=production,host=web1:1|c', 'app.start:1|c', 'app.start,circuit=a,project=b:x|c']) {
    const r = dissect({ l4: 'udp', serverPort: 20011, dissectors: only }, [{ payload: Buffer.from(s) }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('gaijin: every truncation is handled; a line cut before its type is not recognised', () => {
  for (const b of prefixes(TELEMETRY)) {
    const r = dissect({ l4: 'udp', serverPort: 20011, dissectors: only }, [{ payload: b }]);
    if (b.length < TELEMETRY.length - 1) assert.notEqual(r.confidence, 'dpi');
  }
  for (const b of prefixes(CONNECT)) {
    const r = dissect({ l4: 'udp', serverPort: 20021, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === CONNECT.length);
  }
});
