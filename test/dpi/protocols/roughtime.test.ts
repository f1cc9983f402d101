import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/roughtime';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

// roughtime.pcap frame 1 (1024 bytes): the first 72 bytes, then zero padding up to 1024 as in the capture.
const REQUEST_HEAD = hex(`
  # roughtime.pcap frame 1 (1024 bytes, first 72 of 1024 bytes)
  02 00 00 00 40 00 00 00 4e 4f 4e 43 50 41 44 ff 45 9c ab 6f 48 34 cd a9 b7 b3 c9 83 e3 b5 04 8e
  16 25 6e 65 ec 96 3e 60 bf 8c a3 69 ad 3c b4 93 d5 90 9e 68 d8 f8 bd 49 9e 99 07 c4 d0 da 2e dc
  00 00 00 00 00 00 00 00
`);
const REQUEST = Buffer.concat([REQUEST_HEAD, Buffer.alloc(1024 - REQUEST_HEAD.length)]);
const RESPONSE = hex(`
  # roughtime.pcap frame 4 (360 bytes)
  05 00 00 00 40 00 00 00 40 00 00 00 a4 00 00 00 3c 01 00 00 53 49 47 00 50 41 54 48 53 52 45 50
  43 45 52 54 49 4e 44 58 60 5a 5c d2 e9 b1 3d dc c4 38 aa ac 63 9c 50 62 ee 8a 63 36 53 ca 5f a3
  36 b4 4e d9 31 24 de 69 a6 04 ae 14 c1 b7 e9 79 1d 3a b3 c8 6b 78 82 50 a0 11 e4 7f 26 68 34 f5
  f1 60 1e de 95 62 77 09 03 00 00 00 04 00 00 00 0c 00 00 00 52 41 44 49 4d 49 44 50 52 4f 4f 54
  40 42 0f 00 39 e2 e4 51 a5 ff 05 00 aa 80 ac eb b3 b4 a5 f4 3a 3a 72 bc 50 d8 50 e5 d8 7c 14 da
  f7 32 a1 1f 69 bd 78 0d 23 41 8c ad 0d 8f 1b 91 50 3c ed 73 80 68 ab a7 82 4f db 01 fe bd c9 71
  fd 3d 0b f9 30 bf 3c e2 ee 05 cd d7 02 00 00 00 40 00 00 00 53 49 47 00 44 45 4c 45 a2 1d ca 5e
  b9 14 53 b6 e9 7f e2 cd 86 07 06 cc a5 9d 20 fe f1 7a c1 8d 60 34 1a c2 bc 3f 07 60 bf 39 b5 0c
  c8 05 5d 4b 67 9c 9b 24 02 5b 42 cc c0 ed 2f 0d 9b 1a ec 17 47 cf 1c b9 51 b3 62 0b 03 00 00 00
  20 00 00 00 28 00 00 00 50 55 42 4b 4d 49 4e 54 4d 41 58 54 21 6c c4 de ed fc 5f b0 96 2d 67 6a
  d9 82 16 e7 3f 37 ee 2c 6e d9 73 de d8 0f c8 7f 9e d4 75 c4 00 00 00 00 00 00 00 00 ff ff ff ff
  ff ff ff ff 00 00 00 00
`);

test('roughtime: a Google Roughtime request (NONC, PAD) and response are Roughtime', () => {
  const r = dissect({ l4: 'udp', serverPort: 2002, clientPort: 36225, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: RESPONSE }]);
  assert.equal(r.name, 'Roughtime');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
  const resp = dissect({ l4: 'udp', serverPort: 2002, dissectors: only }, [{ dir: 1, payload: RESPONSE }]);
  assert.equal(resp.name, 'Roughtime');
});

test('roughtime: an IETF request in the ROUGHTIM envelope is Roughtime', () => {
  const msg = Buffer.concat([hex('02000000 40000000'), Buffer.from('NONCZZZZ', 'latin1'), Buffer.alloc(64 + 940)]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(msg.length);
  const r = dissect({ l4: 'udp', serverPort: 2002, dissectors: only }, [{ payload: Buffer.concat([Buffer.from('ROUGHTIM'), len, msg]) }]);
  assert.equal(r.name, 'Roughtime');
});

test('roughtime: near miss: an NTP packet on port 2002 or unsorted tags are not Roughtime', () => {
  const ntp = Buffer.concat([hex('23 00 06 20'), Buffer.alloc(44)]);
  const unsorted = Buffer.from(REQUEST);
  unsorted.write('PAD\xffNONC', 8, 'latin1');
  for (const p of [ntp, unsorted]) {
    const r = dissect({ l4: 'udp', serverPort: 2002, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('roughtime: every truncation of the response is handled without throwing', () => {
  for (const b of prefixes(RESPONSE)) {
    const v = direct(b, 1).verdict;
    if (b.length < 40) assert.equal(v, Verdict.Exclude);
  }
});
