import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/cod_mobile';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

const PING = hex(`
  # codm.pcap frame 8 (12 bytes)
  bb b6 53 ea 96 fd bb 03 70 69 6e 67
`);
const LOADOUT = hex(`
  # codm.pcap frame 13 (485 bytes)
  ce a1 c2 0d 23 05 00 01 8c 01 00 98 42 43 44 38 0c 00 59 43 a0 00 05 a9 e9 e1 cf 0b d1 1a 45 09
  00 5b 00 88 0a 04 13 07 08 c3 40 e1 ee 8b ba 6d 80 4c ee 82 61 5b 40 50 4e 3d 96 15 ce a1 c2 06
  5d 06 00 01 ac 00 00 28 2a 46 47 48 49 05 40 01 87 02 40 ca c0 64 03 c4 64 60 e2 40 ce a1 82 07
  1e 07 00 01 c4 00 00 28 2a 4a 4b 4c 4d 06 a0 70 3e 50 f3 3d 0b b5 01 26 9b da d8 02 28 97 63 ce
  a1 82 37 47 08 00 01 c4 06 00 74 09 2a 02 f7 00 3e 11 27 4c 4f 43 5f 50 52 45 46 41 42 5f 4c 4f
  41 44 4f 55 54 4e 41 4d 45 5f 31 01 03 49 40 9a 00 01 15 ab 09 d9 01 8a 68 d1 01 0f 83 d7 01 5d
  78 36 1d 2c 38 0c 00 28 00 a0 00 28 00 02 01 2d 00 00 03 2e 02 01 02 e6 63 02 2f 01 00 01 12 6f
  65 02 30 03 12 7b fc 02 00 9a 05 fe 02 01 22 90 ff 02 02 ef 2b 7c 06 01 00 00 69 d5 f0 08 00 01
  32 00 03 b9 bc 9e 00 01 06 aa d4 cc 01 49 5b ce 01 6a fc d5 01 34 38 0c 00 26 00 98 00 26 00 35
  36 37 38 18 20 c0 02 09 2a 22 a2 f0 6a 12 b9 83 30 57 e1 5b 41 2c d8 90 bf d0 c9 a3 c1 10 cc 40
  f8 f0 05 9c 1e 07 71 9c 22 6c db 67 62 74 dc a6 49 b3 68 62 b6 34 75 40 45 3a e1 83 23 8d cd 5d
  72 0b ce a1 82 1f 39 09 00 01 c4 03 00 84 04 02 33 00 03 e9 3d 9d 4b 3a 38 0c 00 96 00 58 02 96
  3b 3c 8a e4 63 02 3d 3e 98 79 fa 05 03 34 19 bf 9b 00 01 0a 49 5b ce 01 8c 68 d1 01 0c 83 d7 01
  3f 38 0c 00 08 00 20 00 08 00 40 38 0c 00 0c 00 30 00 0c 41 42 43 eb 16 b0 40 62 34 b4 c4 c5 72
  1f 7d 0d 57 c4 e8 c6 a7 a0 14 bb 24 0f 4a 4a a4 c1 c6 e0 de 7d e8 35 ce cd b5 b6 8e 91 f4 7b 22
  32 f0 3d 3c 5c
`);

test('cod_mobile: a "ping" probe echoed by the server is CoD_Mobile', () => {
  const r = dissect({ l4: 'udp', serverPort: 7500, clientPort: 40282, dissectors: only }, [{ payload: PING }, { dir: 1, payload: PING }]);
  assert.equal(r.name, 'CoD_Mobile');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cod_mobile: a game datagram naming loadouts is CoD_Mobile', () => {
  const r = dissect({ l4: 'udp', serverPort: 7948, dissectors: only }, [{ payload: Buffer.from('09fbc175ffaa9046', 'hex') }, { dir: 1, payload: LOADOUT }]);
  assert.equal(r.name, 'CoD_Mobile');
});

test('cod_mobile: near miss: an unanswered probe, or an answer that differs, is not CoD_Mobile', () => {
  const other = Buffer.from(PING);
  other[0] ^= 1;
  for (const pkts of [[{ payload: PING }], [{ payload: PING }, { dir: 1 as const, payload: other }]]) {
    const r = dissect({ l4: 'udp', serverPort: 7500, dissectors: only }, pkts);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('cod_mobile: every truncation is handled; cut probes and datagrams are not recognised', () => {
  for (const b of prefixes(PING)) {
    const r = dissect({ l4: 'udp', serverPort: 7500, dissectors: only }, [{ payload: b }, { dir: 1, payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === PING.length);
  }
  for (const b of prefixes(LOADOUT)) {
    assert.equal(direct(b, 1).verdict === Verdict.Done, b.length > 350 && b.includes('LOC_PREFAB_LOADOUTNAME_1'));
  }
});
