import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/tuya_lp';

const only = [dissector];
const BROADCAST = hex(`
  # tuya_lp.pcap frame 5 (188 bytes)
  00 00 55 aa 00 00 00 00 00 00 00 13 00 00 00 ac 00 00 00 00 97 b9 3f ee 4b 69 c9 5f ee b3 d3 3b
  da 35 29 52 71 63 df 99 48 4c 24 1f 3f 23 30 11 d8 79 17 1b 2e d4 c8 4b 4e 35 d1 c3 29 f6 ac 71
  00 e8 cc f0 68 19 14 47 7c 01 da cb a4 f7 f5 0b 0f 1b db cc d2 4e 9f dc a7 a5 3a 8a 2a b3 44 b6
  af 37 44 fe 3a ca 3f 69 95 9a 0a 43 02 e4 3b ef 3c a7 11 a2 b1 89 c2 c7 6a bc b7 8a a7 d5 31 31
  c0 99 58 6d 07 c2 c1 15 29 c4 dc 86 00 0c c5 ac 16 71 3a 59 29 cb 6f 0c f3 fb 5f fd e3 a5 87 89
  ca a2 68 29 01 37 8e cd 7f 81 a8 55 3c 8a 5f 24 f1 cb b1 c5 2a 5b 6e c9 00 00 aa 55
`);

/** A 3.5 frame: prefix, unknown, seq, cmd, length, iv + data + tag, suffix. */
function frame35(): Buffer {
  const body = Buffer.alloc(12 + 8 + 16, 0x5a);
  const head = hex('00 00 66 99 00 00 00 00 00 01 00 00 00 13');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([head, len, body, hex('00 00 99 66')]);
}

test('tuya_lp: the 3.3 discovery broadcast is TuyaLP', () => {
  const r = dissect({ l4: 'udp', serverPort: 6667, clientPort: 49154, server: '255.255.255.255', dissectors: only }, [{ payload: BROADCAST }]);
  assert.equal(r.name, 'TuyaLP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('tuya_lp: a 3.5 frame over TCP 6668 is TuyaLP', () => {
  const r = dissect({ l4: 'tcp', serverPort: 6668, dissectors: only }, [{ payload: frame35() }]);
  assert.equal(r.name, 'TuyaLP');
});

test('tuya_lp: near miss: the prefix with a wrong length or suffix is not TuyaLP', () => {
  const badSuffix = Buffer.from(BROADCAST);
  badSuffix[badSuffix.length - 1] = 0x56;
  const badLen = Buffer.from(BROADCAST);
  badLen[15] += 4;
  for (const p of [badSuffix, badLen]) {
    const r = dissect({ l4: 'udp', serverPort: 6667, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('tuya_lp: every truncation of the broadcast is handled; only the whole frame is recognised', () => {
  for (const b of prefixes(BROADCAST)) {
    const r = dissect({ l4: 'udp', serverPort: 6667, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === BROADCAST.length);
  }
});
