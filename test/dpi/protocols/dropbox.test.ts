import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/dropbox';

const only = [dissector];
const L4 = 17;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

const DISC = hex(`
  # android.pcap frame 24 (510 bytes)
  7b 22 76 65 72 73 69 6f 6e 22 3a 20 5b 32 2c 20 30 5d 2c 20 22 70 6f 72 74 22 3a 20 31 37 35 30
  30 2c 20 22 68 6f 73 74 5f 69 6e 74 22 3a 20 33 33 30 34 30 32 36 32 34 30 31 33 31 36 37 31 31
  32 37 31 37 37 31 34 35 38 33 32 39 37 31 35 33 36 38 38 34 38 32 2c 20 22 64 69 73 70 6c 61 79
  6e 61 6d 65 22 3a 20 22 22 2c 20 22 6e 61 6d 65 73 70 61 63 65 73 22 3a 20 5b 32 37 35 30 33 37
  30 35 36 30 2c 20 37 38 35 32 36 36 31 37 37 2c 20 31 35 32 36 32 36 33 30 34 35 2c 20 31 33 33
  38 36 35 39 32 30 31 2c 20 31 34 38 31 39 33 33 37 2c 20 34 38 31 30 35 39 31 37 36 30 2c 20 34
  35 31 34 37 32 36 35 38 2c 20 37 33 36 33 34 31 35 32 38 2c 20 39 33 38 38 31 33 38 34 39 2c 20
  31 32 36 37 36 39 35 31 30 39 2c 20 35 34 34 30 34 30 37 30 37 32 2c 20 35 38 33 34 34 39 39 36
  2c 20 39 39 36 33 30 36 32 31 35 2c 20 35 33 30 33 33 30 31 32 34 38 2c 20 32 38 35 32 31 36 30
  37 2c 20 34 30 35 36 34 36 32 35 39 32 2c 20 37 30 35 33 36 32 37 31 38 34 2c 20 31 35 32 32 31
  37 37 35 38 37 2c 20 31 34 32 31 31 31 34 33 39 39 2c 20 31 32 35 32 31 31 36 34 32 39 2c 20 39
  39 34 36 39 37 37 33 2c 20 37 30 37 39 36 33 36 36 38 38 2c 20 31 37 36 39 36 34 33 30 37 2c 20
  31 32 35 35 34 30 35 36 36 2c 20 31 30 34 37 34 32 38 31 38 39 2c 20 34 37 31 36 31 39 30 30 34
  38 2c 20 35 34 36 37 31 36 33 30 38 38 2c 20 31 31 39 35 30 34 34 30 37 31 2c 20 39 36 38 35 33
  32 32 34 2c 20 31 37 36 30 39 39 36 33 2c 20 36 34 37 38 33 30 33 34 34 30 2c 20 35 31 31 37 30
  36 36 34 32 2c 20 36 32 39 37 39 35 35 31 38 34 2c 20 31 34 31 35 36 32 30 33 35 30 5d 7d
`);
const COAP_PUT = hex(`
  # coap_mqtt.pcap frame 309 (95 bytes)
  42 03 1d a9 07 98 72 44 5c 41 72 08 42 75 73 31 37 43 6d 64 11 32 ff 7b 22 6d 65 73 73 61 67 65
  54 79 70 65 22 3a 22 55 50 44 41 54 45 22 2c 22 6d 65 73 73 61 67 65 43 6f 6e 74 65 6e 74 22 3a
  22 46 72 69 20 46 65 62 20 31 39 20 32 30 3a 34 31 3a 31 32 20 45 45 54 20 32 30 31 36 22 7d
`);
const COAP_REPLY = hex(`
  # coap_mqtt.pcap frame 310 (18 bytes)
  62 44 1d a9 07 98 8b 2f 72 2f 42 75 73 31 37 43 6d 64
`);

test('dropbox: the LAN sync discovery broadcast is Dropbox', () => {
  const r = dissect({ l4: 'udp', serverPort: 17500, clientPort: 17500, server: '192.168.2.255', dissectors: only }, [{ payload: DISC }]);
  assert.equal(r.name, 'Dropbox');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('dropbox: CoAP messages for the Bus17Cmd resource are Dropbox', () => {
  const r = dissect({ l4: 'udp', serverPort: 17500, clientPort: 50318, dissectors: only }, [{ payload: COAP_PUT }, { dir: 1, payload: COAP_REPLY }]);
  assert.equal(r.name, 'Dropbox');
  const reply = dissect({ l4: 'udp', serverPort: 17500, dissectors: only }, [{ payload: COAP_REPLY }]);
  assert.equal(reply.name, 'Dropbox');
});

test('dropbox: near miss: other JSON or another CoAP resource on port 17500 is not Dropbox', () => {
  const json = Buffer.from('{"version": [2, 0], "port": 17500, "host": 1}', 'latin1');
  const otherPath = hex('42 01 1d a9 07 98 b5 74 65 6d 70 73'); // CoAP GET /temps
  for (const p of [json, otherPath]) {
    const r = dissect({ l4: 'udp', serverPort: 17500, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('dropbox: every truncation of both message kinds is handled without throwing', () => {
  for (const full of [DISC, COAP_PUT]) {
    for (const b of prefixes(full)) direct(b);
  }
  for (const b of prefixes(DISC)) {
    assert.equal(direct(b).verdict === Verdict.Done, b.length >= DISC.indexOf('"host_int"') + 10);
  }
  // A CoAP message cut inside the path is not recognised.
  const r = dissect({ l4: 'udp', serverPort: 17500, dissectors: only }, [{ payload: COAP_PUT.subarray(0, 18) }]);
  assert.notEqual(r.confidence, 'dpi');
});
