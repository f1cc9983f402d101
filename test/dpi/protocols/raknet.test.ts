import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector } from '../../../src/dpi/protocols/raknet';

const only = [dissector];
const OPEN_REQUEST_2 = hex(`
  # raknet.pcap frame 18 (34 bytes)
  07 00 ff ff 00 fe fe fe fe fd fd fd fd 12 34 56 78 04 6b 66 dc 32 ea 7c 02 40 00 00 00 00 49 0f
  02 7c
`);
const OPEN_REPLY_1 = hex(`
  # raknet.pcap frame 17 (28 bytes)
  06 00 ff ff 00 fe fe fe fe fd fd fd fd 12 34 56 78 00 05 91 a5 36 05 1d f6 00 05 d4
`);
const ROBLOX_REQUEST = hex(`
  # roblox.pcapng frame 48 (1356 bytes, first 64 of 1356 bytes)
  01 00 00 1f 01 11 01 a3 02 2e 4b 80 8d a3 c9 e8 5a 95 25 d3 b8 fd ad 02 06 0a 09 00 90 d0 89 7b
  00 ff ff 00 fe fe fe fe fd fd fd fd 12 34 56 78 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
`);
const FRAME_SET = hex(`
  # raknet.pcap frame 46 (24 bytes)
  84 02 00 00 00 00 88 03 00 00 00 00 00 15 e9 5e 00 00 00 13 0c 20 15 46
`);
const ACK = hex(`
  # raknet.pcap frame 62 (23 bytes)
  c0 00 05 01 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00
`);
const PONG = hex(`
  # raknet.pcap frame 63 (37 bytes)
  1c 11 11 11 11 11 11 11 11 22 22 22 22 22 22 22 22 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33
  33 00 02 41 41
`);

test('raknet: open connection messages carrying the offline magic are RakNet', () => {
  for (const p of [OPEN_REQUEST_2, OPEN_REPLY_1]) {
    const r = dissect({ l4: 'udp', serverPort: 60028, clientPort: 60689, dissectors: only }, [{ payload: p }]);
    assert.equal(r.name, 'RakNet');
    assert.equal(r.confidence, 'dpi');
    assert.deepEqual(r.undeclared, []);
  }
});

test('raknet: Roblox\'s prefixed request (magic at offset 32) is RakNet', () => {
  const r = dissect({ l4: 'udp', serverPort: 53385, dissectors: only }, [{ payload: ROBLOX_REQUEST }]);
  assert.equal(r.name, 'RakNet');
});

test('raknet: connected frame sets need two datagrams; a multi-record ACK needs one', () => {
  const one = dissect({ l4: 'udp', serverPort: 32951, dissectors: only }, [{ payload: FRAME_SET }]);
  assert.notEqual(one.confidence, 'dpi');
  const two = dissect({ l4: 'udp', serverPort: 32951, dissectors: only }, [{ payload: FRAME_SET }, { payload: FRAME_SET }]);
  assert.equal(two.name, 'RakNet');
  const ack = dissect({ l4: 'udp', serverPort: 60031, dissectors: only }, [{ payload: ACK }]);
  assert.equal(ack.name, 'RakNet');
  const pongs = dissect({ l4: 'udp', serverPort: 59935, dissectors: only }, [{ payload: PONG }, { payload: PONG }, { payload: PONG }]);
  assert.equal(pongs.name, 'RakNet');
});

test('raknet: near miss: an RTP stream whose packets happen to walk as frame sets is not RakNet', () => {
  // false_positives.pcapng frames 22 and 23 (inner UDP payload of the GTP tunnel): 44-byte RTP packets
  // (seq 0x55c2, 0x55c3) whose timestamp bytes read as a 296-bit frame that fills the datagram.
  const rtp1 = hex('80 66 55 c2 00 01 28 5c 20 5e 91 60 f3 e6 9a 13 d1 a8 9f 80 18 06 fe 42 9b a2 a8 b8 3c 83 5a 5a 4c 26 80 d9 e2 f6 c2 ad 08 9d 3a cc');
  const rtp2 = hex('80 66 55 c3 00 01 28 fc 20 5e 91 60 f3 c7 bb 24 64 82 f0 84 00 07 f8 fe 85 23 28 43 b2 b5 53 60 2f 44 1f 28 13 a7 d3 66 6b 1e 69 78');
  const r = dissect({ l4: 'udp', serverPort: 21176, dissectors: only }, [{ payload: rtp1 }, { payload: rtp2 }, { payload: rtp1 }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('raknet: near miss: RTP-looking datagrams and a damaged magic are not RakNet', () => {
  const rtp = hex('80 60 12 34 00 00 10 00 de ad be ef 11 22 33 44 55 66 77 88');
  const damaged = Buffer.from(OPEN_REQUEST_2);
  damaged[5] = 0xfd;
  const r1 = dissect({ l4: 'udp', serverPort: 60028, dissectors: only }, [{ payload: rtp }, { payload: rtp }, { payload: rtp }]);
  assert.notEqual(r1.confidence, 'dpi');
  const r2 = dissect({ l4: 'udp', serverPort: 60028, dissectors: only }, [{ payload: damaged }]);
  assert.notEqual(r2.confidence, 'dpi');
});

test('raknet: every truncation of the messages is handled without throwing', () => {
  for (const full of [OPEN_REQUEST_2, FRAME_SET, ACK, PONG]) {
    for (const b of prefixes(full)) {
      const r = dissect({ l4: 'udp', serverPort: 60028, dissectors: only }, [{ payload: b }, { payload: b }]);
      if (full !== OPEN_REQUEST_2 && b.length < full.length) assert.notEqual(r.confidence, 'dpi');
    }
  }
});
